import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import type { LocalStack } from '../../../infra/local/stack.js';
import { attrs, evpn, ext, update } from '../../fixtures/bmp/builders.js';
import { BgpSpeaker } from '../support/bgp-speaker.js';
import { waitFor } from '../support/env.js';
import { startTestStack } from '../support/stack.js';

const cli = join(resolve(import.meta.dirname, '../../..'), 'bin/evpn-lens.mjs');
const evpnLens = async (...args: string[]) => (await promisify(execFile)(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 60_000 })).stdout;

// Issue 25 with real routers: two GoBGP speakers (Debian's gobgpd), one per fabric, export their Loc-RIB over BMP.
// dc1 originates type-5 routes in two IP-VRFs and the type-4 / type-1 routes of two Ethernet segments on behalf of
// their members (each route's next hop / originator names the member); dc2 originates type-5 routes in one VRF.
// The single-active segment's routes come to dc1 from a small BGP speaker in the test (127.0.25.3), because GoBGP 3.10's
// CLI refuses `esi-label <label> single-active`; dc1 reports them in its Loc-RIB like its own. Routers on 127.0.25.1-3 only.
describe('segments and prefixes from GoBGP routes (type 1, 4, 5) through BMP to the API', () => {
  let stack: LocalStack;
  let dc1: Gobgp;
  let dc2: Gobgp;
  let speaker: BgpSpeaker;
  const get = async (path: string) => {
    const res = await fetch(`${stack.apiUrl}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };

  const ESI_AA = {
    arg: '25:00:00:00:00:00:00:00:0a',
    esi: '00:25:00:00:00:00:00:00:00:0a',
    members: ['10.25.1.10', '10.25.1.2', '10.25.1.3'],
    vnis: [10100, 10101, 10102],
  };
  const ESI_SA = { arg: '25:00:00:00:00:00:00:00:0b', esi: '00:25:00:00:00:00:00:00:00:0b', members: ['10.25.1.20', '10.25.1.4'], vnis: [10200, 10201] };

  // RFC 7432 §8.5, computed here on its own: members as 32-bit numbers in increasing order, DF = ordered[V mod N].
  const num = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const df = (members: string[], v: number) => [...members].sort((a, b) => num(a) - num(b))[v % members.length];

  const esRoute = (s: typeof ESI_AA, m: string) => ['esi', m, 'esi', 'ARBITRARY', s.arg, 'rd', `${m}:1`, 'encap', 'vxlan', 'nexthop', m];
  // GoBGP 3.10 sets the ESI Label community only without a mode word: the all-active flag (see above).
  const adPerEs = (s: typeof ESI_AA, m: string) => [
    'a-d',
    'esi',
    'ARBITRARY',
    s.arg,
    'etag',
    '4294967295',
    'label',
    '0',
    'rd',
    `${m}:1`,
    'rt',
    '65025:1',
    'encap',
    'vxlan',
    'esi-label',
    '100',
    'nexthop',
    m,
  ];
  const adPerEvi = (s: typeof ESI_AA, m: string, vni: number) => [
    'a-d',
    'esi',
    'ARBITRARY',
    s.arg,
    'etag',
    '0',
    'label',
    String(vni),
    'rd',
    `${m}:${vni}`,
    'rt',
    `65025:${vni}`,
    'encap',
    'vxlan',
    'nexthop',
    m,
  ];
  const prefix = (p: string, l3vni: number, vtep: string, gw: string) => [
    'prefix',
    p,
    'gw',
    gw,
    'etag',
    '0',
    'label',
    String(l3vni),
    'rd',
    `${vtep}:${l3vni}`,
    'rt',
    `65025:${l3vni}`,
    'encap',
    'vxlan',
    'router-mac',
    '02:25:00:00:00:01',
    'nexthop',
    vtep,
  ];

  beforeAll(async () => {
    stack = await startTestStack({
      fabrics: [
        { name: 'dc1', match: { routerIds: ['10.25.255.1'] } },
        { name: 'dc2', match: { routerIds: ['10.25.255.2'] } },
      ],
    });
    const [host, port] = stack.bmpAddress.split(':') as [string, string];
    const bmp = { host, port: Number(port) };
    speaker = new BgpSpeaker({ address: '127.0.25.3', port: 10179, asn: 65253, bgpId: '10.25.255.3' });
    await speaker.listen();
    dc1 = new Gobgp({
      name: 'i25-dc1',
      address: '127.0.25.1',
      routerId: '10.25.255.1',
      asn: 65251,
      apiPort: await freePort(),
      bmp,
      bmpPolicy: 'local-rib',
      neighbors: [{ address: '127.0.25.3', asn: 65253 }],
    });
    dc2 = new Gobgp({ name: 'i25-dc2', address: '127.0.25.2', routerId: '10.25.255.2', asn: 65252, apiPort: await freePort(), bmp, bmpPolicy: 'local-rib' });
    await Promise.all([dc1.start(), dc2.start()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([dc1?.dispose(), dc2?.dispose(), speaker?.close()]);
    await stack?.stop();
  });

  it('answers the longest-prefix match across two VRFs and two fabrics, and 404 for an address in no prefix', async () => {
    await dc1.evpn('add', prefix('10.25.0.0/16', 50001, '10.25.1.2', '0.0.0.0'));
    await dc1.evpn('add', prefix('10.25.2.0/24', 50002, '10.25.1.3', '10.25.2.254'));
    await dc2.evpn('add', prefix('10.25.2.0/24', 50001, '10.25.2.1', '10.25.2.1'));
    await dc2.evpn('add', prefix('10.25.2.128/25', 50001, '10.25.2.1', '10.25.2.1'));
    const m = await waitFor(async () => {
      const r = await get('/v1/prefixes?ip=10.25.2.9');
      return r.status === 200 && r.body.matches.length === 3 ? r.body.matches : undefined;
    }, 'three matches');
    expect(m.map((x: any) => `${x.vrf}|${x.fabric}|${x.prefix}`)).toEqual(['50001|dc1|10.25.0.0/16', '50001|dc2|10.25.2.0/24', '50002|dc1|10.25.2.0/24']);
    expect(m[1]).toMatchObject({ l3Vni: 50001, nextHops: [{ vtep: '10.25.2.1', gatewayIp: '10.25.2.1', routerMac: '02:25:00:00:00:01' }] });
    expect(m[2].nextHops[0]).toMatchObject({ vtep: '10.25.1.3', gatewayIp: '10.25.2.254' });
    expect((await get('/v1/prefixes?ip=10.99.0.1')).status).toBe(404);
    expect((await get('/v1/hosts?ip=10.25.2.9')).body).toMatchObject({ match: 'prefix', hosts: [] });
    // Withdrawn everywhere: the /25 disappears.
    await waitFor(
      async () => ((await get('/v1/prefixes?ip=10.25.2.200')).body.matches?.some((x: any) => x.prefix === '10.25.2.128/25') ? true : undefined),
      '/25',
    );
    await dc2.evpn('del', prefix('10.25.2.128/25', 50001, '10.25.2.1', '10.25.2.1'));
    await waitFor(
      async () => ((await get('/v1/prefixes?ip=10.25.2.200')).body.matches?.some((x: any) => x.prefix === '10.25.2.128/25') ? undefined : true),
      '/25 gone',
    );
  });

  it('gives each segment its members, mode and the DF per VLAN by RFC 7432 §8.5, and moves the DF when a member leaves', async () => {
    for (const m of ESI_AA.members) {
      await dc1.evpn('add', esRoute(ESI_AA, m));
      await dc1.evpn('add', adPerEs(ESI_AA, m));
      for (const v of ESI_AA.vnis) await dc1.evpn('add', adPerEvi(ESI_AA, m, v));
    }
    // Per member: its ES route and per-ES A-D route with the ESI Label community's single-active flag (RFC 7432 §7.5),
    // then its per-EVI A-D routes with the VNI in the label and the VXLAN encapsulation (RFC 8365 §5.1.3).
    const base = [attrs.origin(0), attrs.asPath([65253])];
    for (const m of ESI_SA.members)
      await speaker.send(
        update({
          attributes: [
            ...base,
            attrs.mpReach(m, [
              evpn.es({ rd: `${m}:1`, esi: ESI_SA.esi, originator: m }),
              evpn.ad({ rd: `${m}:1`, esi: ESI_SA.esi, etag: 0xffffffff, label: 0 }),
            ]),
            attrs.ext([ext.rt('65025:1'), ext.encap(8), ext.esiLabel(100, true)]),
          ],
        }),
        update({
          attributes: [
            ...base,
            attrs.mpReach(
              m,
              ESI_SA.vnis.map((v) => evpn.ad({ rd: `${m}:${v}`, esi: ESI_SA.esi, etag: 0, label: v })),
            ),
            attrs.ext([ext.rt('65025:2'), ext.encap(8)]),
          ],
        }),
      );
    const complete = (s: typeof ESI_AA, members: string[]) => async () => {
      const r = await get(`/v1/segments/${s.esi}`);
      return r.status === 200 &&
        r.body.dfCandidates.length === members.length &&
        r.body.evis.length === s.vnis.length &&
        r.body.evis.every((e: any) => e.members.length === s.members.length)
        ? r.body
        : undefined;
    };
    for (const [s, mode] of [
      [ESI_AA, 'all-active'],
      [ESI_SA, 'single-active'],
    ] as const) {
      const seg = await waitFor(complete(s, s.members), `segment ${s.esi}`);
      expect(seg).toMatchObject({ mode, esiLabel: 100, fabrics: ['dc1'], flags: [] });
      expect(seg.members.map((x: any) => x.vtep)).toEqual([...s.members].sort((a, b) => num(a) - num(b)));
      expect(seg.evis.map((e: any) => [e.vni, e.df])).toEqual(s.vnis.map((v) => [v, df(s.members, v)]));
    }
    const list = (await get('/v1/segments')).body.segments.filter((x: any) => x.esi.startsWith('00:25:'));
    expect(list.map((x: any) => [x.esi, x.mode])).toEqual([
      [ESI_AA.esi, 'all-active'],
      [ESI_SA.esi, 'single-active'],
    ]);

    // The CLI, both commands at once (each is a Node start): `segments`, and `where` showing an IP's prefix fallback.
    const [cliList, where] = await Promise.all([evpnLens('segments', '--api', stack.apiUrl), evpnLens('where', '10.25.2.9', '--api', stack.apiUrl)]);
    expect(cliList).toMatch(new RegExp(`${ESI_SA.esi}\\s+dc1\\s+single-active\\s+100\\s+10\\.25\\.1\\.4,10\\.25\\.1\\.20`));
    expect(where).toContain('match: prefix');
    expect(where).toMatch(/50001\s+dc2\s+10\.25\.2\.0\/24\s+10\.25\.2\.1\s+10\.25\.2\.1\s+02:25:00:00:00:01/);

    // 10.25.1.3 leaves segment A (its ES route withdrawn): two candidates, and the DF of some VLANs changes.
    await dc1.evpn('del', esRoute(ESI_AA, '10.25.1.3'));
    const left = ['10.25.1.10', '10.25.1.2'];
    const after = await waitFor(complete(ESI_AA, left), 'two DF candidates');
    expect(after.evis.map((e: any) => [e.vni, e.df])).toEqual(ESI_AA.vnis.map((v) => [v, df(left, v)]));
    expect(ESI_AA.vnis.some((v) => df(left, v) !== df(ESI_AA.members, v))).toBe(true);
    expect(after.flags).toEqual([{ kind: 'ad-per-evi-without-es-route', vtep: '10.25.1.3' }]);
  });
});
