import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../infra/config/load-config.js';
import { FrrBgpd } from '../../../infra/lab/frr.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { brokers, dynamodbEndpoint, uniqueName, waitFor } from '../support/env.js';

// The whole path with real parts: GoBGP routers export BMP to the collector, which publishes to the real Kafka broker;
// the local event-source runner feeds the MAC-index function, which writes to dynalite; the API reads it back.
// FRR's bgpd, peered with r1, reports r1's routes over BMP too: a second reporter of the same routes, not more hosts.
describe('routers to API', () => {
  let stack: LocalStack;
  const routers: Gobgp[] = [];
  let frr: FrrBgpd | undefined;
  let api = '';
  const R = { r1: '10.88.0.1', r2: '10.88.0.2', r3: '10.88.0.3', frr: '10.88.0.4' };
  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const locationOf = async (mac: string) => (await get(`/v1/hosts/${mac}`)).body.locations?.[0];
  const mac = (n: number) => `02:88:00:00:00:${n.toString(16).padStart(2, '0')}`;
  const adv = (r: Gobgp, m: string, o: { vtep: string; rd: string; ip?: string; esi?: string }) =>
    r.evpn('add', [
      'macadv',
      m,
      o.ip ?? '0.0.0.0',
      ...(o.esi ? ['esi', 'ARBITRARY', o.esi] : []),
      'etag',
      '0',
      'label',
      '10100',
      'rd',
      o.rd,
      'rt',
      '65000:10100',
      'encap',
      'vxlan',
      'nexthop',
      o.vtep,
    ]);
  const del = (r: Gobgp, m: string, o: { rd: string; ip?: string }) =>
    r.evpn('del', ['macadv', m, o.ip ?? '0.0.0.0', 'etag', '0', 'label', '10100', 'rd', o.rd]);

  beforeAll(async () => {
    const [apiPort, bmpPort] = [await freePort(), await freePort()];
    const cfg = parseConfig({
      fabrics: [
        { name: 'dc1', match: { routerIds: [R.r1, R.r3, R.frr] } },
        { name: 'dc2', match: { routerIds: [R.r2] } },
      ],
      kafka: { brokers: brokers() },
      dynamodb: { endpoint: dynamodbEndpoint(), tablePrefix: `${uniqueName('e2e')}-` },
      collector: { bmp: { listen: `127.0.0.1:${bmpPort}`, resyncQuietSeconds: 5 } },
      api: { listen: `127.0.0.1:${apiPort}` },
      eventSource: { batchSize: 200, batchingWindowMs: 50, startingPosition: 'LATEST' },
    });
    stack = await startLocalStack(cfg, { logger: pino({ level: 'warn' }) });
    api = stack.apiUrl;
    await waitFor(async () => ((await fetch(`${api}/readyz`)).status === 200 ? true : undefined), 'readyz');
    const bmp = { host: '127.0.0.1', port: bmpPort };
    // r1 and r3 are two leaves of dc1 peered with each other; r2 is a leaf of dc2 that hears neither.
    routers.push(
      new Gobgp({
        name: 'r1',
        address: '127.0.0.81',
        routerId: R.r1,
        asn: 65081,
        apiPort: await freePort(),
        neighbors: [
          { address: '127.0.0.83', asn: 65083 },
          { address: '127.0.0.84', asn: 65084 },
        ],
        bmp,
      }),
    );
    routers.push(new Gobgp({ name: 'r2', address: '127.0.0.82', routerId: R.r2, asn: 65082, apiPort: await freePort(), bmp }));
    routers.push(
      new Gobgp({
        name: 'r3',
        address: '127.0.0.83',
        routerId: R.r3,
        asn: 65083,
        apiPort: await freePort(),
        neighbors: [{ address: '127.0.0.81', asn: 65081 }],
        bmp,
      }),
    );
    await Promise.all(routers.map((r) => r.start()));
    frr = new FrrBgpd({ hostname: 'dc1-frr', address: '127.0.0.84', routerId: R.frr, asn: 65084, neighbors: [{ address: '127.0.0.81', asn: 65081 }], bmp });
    frr.start();
    await routers[0]!.waitEstablished('127.0.0.83');
    await routers[0]!.waitEstablished('127.0.0.84', 60_000);
  });

  afterAll(async () => {
    await Promise.all([...routers.map((r) => r.dispose()), frr?.dispose()]);
    await stack?.stop();
  });

  it('locates hosts in two fabrics, by MAC and by IP', async () => {
    const [r1, r2] = [routers[0]!, routers[1]!];
    await adv(r1, mac(1), { vtep: '10.88.1.1', rd: '10.88.0.1:100', ip: '172.20.0.1' });
    await adv(r2, mac(2), { vtep: '10.88.2.1', rd: '10.88.0.2:100', ip: '172.20.0.2' });
    const l1 = await waitFor(() => locationOf(mac(1)), 'mac 1 indexed');
    expect(l1).toMatchObject({ fabric: 'dc1', vni: 10100, vtep: '10.88.1.1', ips: ['172.20.0.1'] });
    // r1 (Loc-RIB, pre- and post-policy), r3 and FRR (which learnt it from r1) report it: one location, three routers.
    const reported = await waitFor(
      async () => {
        const l = await locationOf(mac(1));
        return l?.routers.length === 3 ? l : undefined;
      },
      'three routers reporting',
      60_000,
    );
    expect(reported.routers).toEqual(expect.arrayContaining([expect.stringContaining(R.r1), expect.stringContaining(R.r3), expect.stringContaining(R.frr)]));
    expect(reported.vteps).toEqual(['10.88.1.1']);
    expect(await waitFor(() => locationOf(mac(2)), 'mac 2 indexed')).toMatchObject({ fabric: 'dc2', vtep: '10.88.2.1' });
    const byIp = await get('/v1/hosts?ip=172.20.0.2');
    expect(byIp.body.hosts).toEqual([expect.objectContaining({ mac: mac(2) })]);
  });

  it('follows a move across fabrics', async () => {
    const [r1, r2] = [routers[0]!, routers[1]!];
    await adv(r2, mac(1), { vtep: '10.88.2.1', rd: '10.88.0.2:100', ip: '172.20.0.1' });
    await del(r1, mac(1), { rd: '10.88.0.1:100', ip: '172.20.0.1' });
    const l = await waitFor(async () => {
      const x = await locationOf(mac(1));
      return x?.fabric === 'dc2' ? x : undefined;
    }, 'mac 1 in dc2');
    expect(l).toMatchObject({ vtep: '10.88.2.1', vteps: ['10.88.2.1'] });
    const host = await get(`/v1/hosts/${mac(1)}`);
    expect(host.body.history[0]).toMatchObject({ kind: 'move', from: { fabric: 'dc1', vtep: '10.88.1.1' }, to: { fabric: 'dc2' } });
  });

  it('follows a move within a fabric when the new route comes before the withdrawal', async () => {
    const [r1, , r3] = [routers[0]!, routers[1]!, routers[2]!];
    await adv(r1, mac(3), { vtep: '10.88.1.1', rd: '10.88.0.1:100' });
    await waitFor(() => locationOf(mac(3)), 'mac 3 on r1');
    await waitFor(async () => ((await locationOf(mac(3)))?.routers.some((r: string) => r.includes(R.r3)) ? true : undefined), 'r3 has learnt mac 3');
    // r3 knows r1's route: its own advertisement wins (GoBGP applies MAC mobility, RFC 7432 §15) before r1 withdraws.
    await adv(r3, mac(3), { vtep: '10.88.1.3', rd: '10.88.0.3:100' });
    const moved = await waitFor(async () => {
      const x = await locationOf(mac(3));
      return x?.vtep === '10.88.1.3' ? x : undefined;
    }, 'mac 3 moved to r3 before the withdrawal');
    expect(moved).toMatchObject({ fabric: 'dc1', vteps: ['10.88.1.3'] });
    expect((await get(`/v1/hosts/${mac(3)}`)).body.history[0]).toMatchObject({ kind: 'move', from: { vtep: '10.88.1.1' }, to: { vtep: '10.88.1.3' } });
    await del(r1, mac(3), { rd: '10.88.0.1:100' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await locationOf(mac(3))).toMatchObject({ vtep: '10.88.1.3' });
  });

  it('shows a dual-homed host on an ESI as one location with both VTEPs', async () => {
    const [r1, , r3] = [routers[0]!, routers[1]!, routers[2]!];
    const esi = '01:02:03:04:05:06:07:08:09';
    await adv(r1, mac(4), { vtep: '10.88.1.1', rd: '10.88.0.1:100', esi });
    await adv(r3, mac(4), { vtep: '10.88.1.3', rd: '10.88.0.3:100', esi });
    const both = (x: { vteps: string[] } | undefined) => x?.vteps.includes('10.88.1.1') && x.vteps.includes('10.88.1.3');
    const l = await waitFor(async () => {
      const x = await locationOf(mac(4));
      return both(x) ? x : undefined;
    }, 'both VTEPs');
    // (FRR hears r3's route through r1 over eBGP, with r1's address as next hop: a third path on the same ESI.)
    expect(l).toMatchObject({ fabric: 'dc1', esi: '00:01:02:03:04:05:06:07:08:09', vtep: '10.88.1.1' });
    expect((await get(`/v1/hosts/${mac(4)}`)).body.history).toEqual([]);
  });

  it('removes a withdrawn host', async () => {
    const r2 = routers[1]!;
    await del(r2, mac(2), { rd: '10.88.0.2:100', ip: '172.20.0.2' });
    await waitFor(async () => ((await get(`/v1/hosts/${mac(2)}`)).body.locations?.length === 0 ? true : undefined), 'mac 2 gone');
    expect((await get('/v1/hosts?ip=172.20.0.2')).body.hosts).toEqual([]);
  });

  it('flags a flapping MAC once, and raises no alert for the other hosts', async () => {
    const [r1, r2] = [routers[0]!, routers[1]!];
    const m = mac(5);
    await adv(r1, m, { vtep: '10.88.1.1', rd: '10.88.0.1:100' });
    await waitFor(() => locationOf(m), 'mac 5 indexed');
    for (let i = 0; i < 6; i++) {
      const [to, from] = i % 2 === 0 ? [r2, r1] : [r1, r2];
      const toVtep = i % 2 === 0 ? { vtep: '10.88.2.1', rd: '10.88.0.2:100' } : { vtep: '10.88.1.1', rd: '10.88.0.1:100' };
      const fromRd = i % 2 === 0 ? '10.88.0.1:100' : '10.88.0.2:100';
      await adv(to, m, toVtep);
      await del(from, m, { rd: fromRd });
      await waitFor(async () => ((await locationOf(m))?.vtep === toVtep.vtep ? true : undefined), `move ${i + 1}`);
    }
    const flaps = await waitFor(async () => {
      const a = (await get('/v1/alerts?type=mac-flap')).body.alerts;
      return a.length ? a : undefined;
    }, 'flap alert');
    expect(flaps).toEqual([expect.objectContaining({ type: 'mac-flap', mac: m, vni: 10100, clearedAt: null })]);
    const all = (await get('/v1/alerts')).body.alerts as { type: string; mac: string | null; fabric?: string; reasons?: string[] }[];
    expect(all.filter((a) => a.mac !== null).map((a) => a.mac)).toEqual([m]);
    // The only other alerts allowed: the fabric status that this flap degrades (health.rules.flappingMac).
    for (const a of all.filter((x) => x.mac === null)) {
      expect(a.type).toBe('fabric-status');
      expect(a.reasons?.join(' ')).toContain(`MAC ${m} flapping`);
    }
  });
});
