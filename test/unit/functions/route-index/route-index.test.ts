import type { APIGatewayProxyEventV2, MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/handler.js';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { createRouteIndexHandler, type RouteIndexHandler } from '../../../../functions/route-index/handler.js';
import { type IRouteEvent, SessionEvent, SessionEventKind } from '../../../../schemas/events.js';
import { u64 } from '../../../../schemas/long.js';
import { keys } from '../../../../schemas/tables/index.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { macRoute, mskBatch } from '../../../support/route-events.js';
import { adRoute, esRoute, prefixRoute } from '../../../support/route-index-events.js';
import { ADAPTERS, type OpenedStore, openStore } from '../../../support/store-adapters.js';

// Record times near the wall clock: dead items and tombstones expire an hour after theirs.
const T0 = Date.now() - 60_000;
const batch = (evs: IRouteEvent[], atMs = T0) => mskBatch(evs.map((ev) => ({ ev, atMs })));
const resyncComplete = (router: string, epoch: number, atMs: number): MSKEvent =>
  ({
    eventSource: 'aws:kafka',
    records: {
      [`${TOPICS.sessions}-0`]: [
        {
          topic: TOPICS.sessions,
          partition: 0,
          offset: 0,
          timestamp: atMs,
          timestampType: 'CREATE_TIME',
          key: null,
          value: Buffer.from(
            SessionEvent.encode({
              kind: SessionEventKind.SESSION_EVENT_KIND_RESYNC_COMPLETE,
              fabric: 'dc1',
              router: { address: router, bgpId: router },
              sessionEpoch: u64(BigInt(epoch)),
            }).finish(),
          ).toString('base64'),
          headers: [],
        },
      ],
    },
  }) as unknown as MSKEvent;

// RFC 7432 §8.5 computed here independently of the index: addresses as 32-bit numbers, V mod N.
const v4 = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const expectedDf = (members: string[], v: number) => [...members].sort((a, b) => v4(a) - v4(b))[v % members.length];

describe.each(ADAPTERS)('route index on the %s store', (adapter) => {
  let store: OpenedStore;
  let h: RouteIndexHandler;
  let api: ReturnType<typeof createApiHandler>;
  const get = async (path: string) => {
    const [rawPath, qs] = path.split('?');
    const res = (await api({
      rawPath,
      queryStringParameters: qs ? Object.fromEntries(new URLSearchParams(qs)) : undefined,
      requestContext: { http: { method: 'GET' } },
    } as unknown as APIGatewayProxyEventV2)) as { statusCode: number; body: string };
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  beforeAll(async () => {
    store = await openStore(adapter);
    h = createRouteIndexHandler({ table: store.index, options: { moveGapSeconds: 5 } });
    api = createApiHandler({ tables: { index: store.index, health: store.health } });
  });
  afterAll(async () => store?.stop());

  const ESI_AA = '00:11:11:11:11:11:11:11:11:01';
  const ESI_SA = '00:22:22:22:22:22:22:22:22:02';

  it('builds an all-active segment: members, mode, ESI label, EVIs and the DF of each by V mod N over the ordered members', async () => {
    const members = ['10.0.0.10', '10.0.0.2', '10.0.0.9'];
    const vnis = [10100, 10101, 10102, 10203];
    await h(batch(members.flatMap((m) => [esRoute(ESI_AA, m), adRoute(ESI_AA, m, 'per-es'), ...vnis.map((v) => adRoute(ESI_AA, m, v))])));
    const { status, body } = await get(`/v1/segments/${ESI_AA}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      esi: ESI_AA,
      mode: 'all-active',
      esiLabel: 0,
      dfAlgorithm: 'modulus',
      dfCandidates: ['10.0.0.2', '10.0.0.9', '10.0.0.10'],
      flags: [],
    });
    expect(body.members.map((m: { vtep: string }) => m.vtep)).toEqual(['10.0.0.2', '10.0.0.9', '10.0.0.10']);
    expect(body.evis.map((e: { vni: number; df: string }) => [e.vni, e.df])).toEqual(vnis.map((v) => [v, expectedDf(members, v)]));
    expect(new Set(body.evis.map((e: { df: string }) => e.df)).size).toBe(3); // the carving spreads the EVIs
  });

  it('moves the DF when a member withdraws its ES route, and flags the A-D per EVI routes it still advertises', async () => {
    await h(batch([esRoute(ESI_AA, '10.0.0.9', { withdraw: true })]));
    const { body } = await get(`/v1/segments/${ESI_AA}`);
    expect(body.dfCandidates).toEqual(['10.0.0.2', '10.0.0.10']);
    expect(body.evis.map((e: { vni: number; df: string }) => [e.vni, e.df])).toEqual(
      [10100, 10101, 10102, 10203].map((v) => [v, expectedDf(['10.0.0.2', '10.0.0.10'], v)]),
    );
    expect(body.flags).toEqual([{ kind: 'ad-per-evi-without-es-route', vtep: '10.0.0.9' }]);
  });

  it('reads single-active from the ESI Label flag, and flags an ES route without A-D routes', async () => {
    await h(
      batch([
        esRoute(ESI_SA, '10.0.1.1'),
        adRoute(ESI_SA, '10.0.1.1', 'per-es', { singleActive: true }),
        adRoute(ESI_SA, '10.0.1.1', 10100),
        esRoute(ESI_SA, '10.0.1.2'),
      ]),
    );
    const { body } = await get(`/v1/segments/${ESI_SA}`);
    expect(body).toMatchObject({ mode: 'single-active', flags: [{ kind: 'es-route-without-ad-routes', vtep: '10.0.1.2' }] });
    expect(body.evis).toEqual([expect.objectContaining({ vni: 10100, serviceValue: 10100, df: expectedDf(['10.0.1.1', '10.0.1.2'], 10100) })]);
    const list = await get('/v1/segments');
    expect(list.body.segments.map((s: { esi: string; mode: string }) => [s.esi, s.mode])).toEqual([
      [ESI_AA, 'all-active'],
      [ESI_SA, 'single-active'],
    ]);
  });

  it('locates a MAC behind the single-active segment at its advertising member, and flags it advertised by two', async () => {
    const mac = createMacIndexHandler({ table: store.index });
    const m = '02:5a:00:00:00:01';
    const from = (vtep: string, withdraw = false) => macRoute({ mac: m, vtep, fabric: 'dc1', esi: ESI_SA, withdraw });
    const both = async (evs: ReturnType<typeof macRoute>[]) => {
      await mac(batch(evs));
      await h(batch(evs));
    };
    const flagsOf = async () => (await get(`/v1/segments/${ESI_SA}`)).body.flags.map((f: { kind: string }) => f.kind);
    await both([from('10.0.1.1')]);
    expect((await get(`/v1/hosts/${m}`)).body.locations[0]).toMatchObject({
      vtep: '10.0.1.1',
      vteps: ['10.0.1.1'],
      redundancy: 'single-active',
      segment: `/v1/segments/${ESI_SA}`,
    });
    expect(await flagsOf()).not.toContain('single-active-macs-on-several-members');
    await both([from('10.0.1.2')]);
    expect((await get(`/v1/segments/${ESI_SA}`)).body.flags).toContainEqual({
      kind: 'single-active-macs-on-several-members',
      macs: [{ mac: m, segment: 'VNI#10100', members: ['10.0.1.1', '10.0.1.2'] }],
    });
    await both([from('10.0.1.2', true)]);
    expect(await flagsOf()).not.toContain('single-active-macs-on-several-members');
    // Behind the all-active segment the same MAC from two members is one location, as before.
    const aa = '02:5a:00:00:00:02';
    await both(['10.0.0.2', '10.0.0.10'].map((vtep) => macRoute({ mac: aa, vtep, fabric: 'dc1', esi: ESI_AA })));
    expect((await get(`/v1/hosts/${aa}`)).body.locations[0]).toMatchObject({ vteps: ['10.0.0.2', '10.0.0.10'], redundancy: 'all-active' });
    expect((await get(`/v1/segments/${ESI_AA}`)).body.flags.map((f: { kind: string }) => f.kind)).not.toContain('single-active-macs-on-several-members');
  });

  it('reports HRW (RFC 8584 DF Type 1) as not supported, with no DF guessed', async () => {
    const esi = '00:33:33:33:33:33:33:33:33:03';
    await h(batch(['10.0.3.1', '10.0.3.2'].flatMap((m) => [esRoute(esi, m, { dfAlg: 1 }), adRoute(esi, m, 10100)])));
    const { body } = await get(`/v1/segments/${esi}`);
    expect(body).toMatchObject({ dfAlgorithm: 'hrw', dfUnsupported: expect.stringMatching(/not computed/) });
    expect(body.evis[0].df).toBeNull();
  });

  it('answers the longest-prefix match per VRF and fabric, 404 outside every prefix, and the hosts fallback', async () => {
    await h(
      batch([
        prefixRoute('10.1.0.0/16', 50001, '10.0.0.2'),
        prefixRoute('10.1.2.0/24', 50001, '10.0.5.1', { fabric: 'dc2', gw: '10.1.2.254' }),
        prefixRoute('10.1.2.0/24', 50001, '10.0.5.2', { fabric: 'dc2', gw: '10.1.2.254' }),
        prefixRoute('10.0.0.0/8', 50002, '10.0.0.10'),
        prefixRoute('10.1.2.128/25', 50002, '10.0.0.9'), // does not cover .3
        prefixRoute('2001:db8:1::/48', 50001, '10.0.0.2'),
      ]),
    );
    const { status, body } = await get('/v1/prefixes?ip=10.1.2.3');
    expect(status).toBe(200);
    expect(body.matches.map((m: { vrf: string; fabric: string; prefix: string }) => `${m.vrf}|${m.fabric}|${m.prefix}`)).toEqual([
      '50001|dc1|10.1.0.0/16',
      '50001|dc2|10.1.2.0/24',
      '50002|dc1|10.0.0.0/8',
    ]);
    expect(body.matches[1]).toMatchObject({
      l3Vni: 50001,
      nextHops: [
        { vtep: '10.0.5.1', gatewayIp: '10.1.2.254', routerMac: '02:aa:00:00:00:01' },
        { vtep: '10.0.5.2', gatewayIp: '10.1.2.254', routerMac: '02:aa:00:00:00:02' },
      ],
    });
    // Bounded: one key per prefix length present in each VRF (50001: 16, 24; 50002: 8, 25), never a scan.
    expect(body.cost).toEqual({ vrfs: 2, keysRead: 4 });
    expect((await get('/v1/prefixes?ip=2001:db8:1:2::5')).body.matches).toEqual([expect.objectContaining({ vrf: '50001', prefix: '2001:db8:1::/48' })]);
    expect((await get('/v1/prefixes?ip=192.168.1.1')).status).toBe(404);
    const fallback = (await get('/v1/hosts?ip=10.1.2.3')).body;
    expect(fallback).toMatchObject({ match: 'prefix', hosts: [] });
    expect(fallback.prefixes).toHaveLength(3);
    expect((await get('/v1/hosts?ip=192.168.1.1')).body).toEqual({ ip: '192.168.1.1', match: 'none', hosts: [] });
    expect((await get('/v1/vrfs')).body.vrfs.map((v: { id: string }) => v.id)).toEqual(['50001', '50002']);
    const page1 = (await get('/v1/vrfs/50001/prefixes?limit=2')).body;
    expect(page1.prefixes.map((p: { prefix: string }) => p.prefix)).toEqual(['10.1.0.0/16', '10.1.2.0/24']);
    const page2 = (await get(`/v1/vrfs/50001/prefixes?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)).body;
    expect(page2.prefixes.map((p: { prefix: string }) => p.prefix)).toEqual(['2001:db8:1::/48']);
  });

  it('drops a prefix withdrawn everywhere, and records a move between fabrics in its history', async () => {
    await h(batch([prefixRoute('10.1.2.0/24', 50001, '10.0.5.1', { fabric: 'dc2', withdraw: true })]));
    expect((await get('/v1/prefixes?ip=10.1.2.3')).body.matches).toHaveLength(3); // one next hop left in dc2
    await h(batch([prefixRoute('10.1.2.0/24', 50001, '10.0.5.2', { fabric: 'dc2', withdraw: true })]));
    expect((await get('/v1/prefixes?ip=10.1.2.3')).body.matches.map((m: { prefix: string }) => m.prefix)).toEqual(['10.1.0.0/16', '10.0.0.0/8']);
    // Re-advertised in dc1 within the move gap: a move dc2 → dc1.
    await h(batch([prefixRoute('10.1.2.0/24', 50001, '10.0.0.2')], T0 + 2000));
    const m = (await get('/v1/prefixes?ip=10.1.2.3')).body.matches.find((x: { prefix: string }) => x.prefix === '10.1.2.0/24');
    expect(m).toMatchObject({ fabric: 'dc1', history: [{ kind: 'move', from: ['dc2'], to: ['dc1'] }] });
  });

  it('writes nothing for a redelivered batch', async () => {
    const b = batch([prefixRoute('10.9.0.0/16', 50002, '10.0.0.10'), esRoute('00:44:44:44:44:44:44:44:44:04', '10.0.4.1')]);
    await h(b);
    const before = h.store.writes;
    await h(b);
    expect(h.store.writes).toBe(before);
  });

  it("sweeps a router's older-epoch segment and prefix paths on its resync, and detaches its per-ES A-D member in the MAC index", async () => {
    const esi = '00:55:55:55:55:55:55:55:55:05';
    const R = '10.0.7.1';
    const mac = createMacIndexHandler({ table: store.index });
    const adPerEs = adRoute(esi, R, 'per-es', { epoch: 1 });
    await mac(batch([adPerEs, macRoute({ mac: '02:55:00:00:00:01', vtep: R, fabric: 'dc1', esi })]));
    await h(
      batch([
        esRoute(esi, R, { epoch: 1 }),
        adPerEs,
        esRoute(esi, '10.0.7.2'),
        adRoute(esi, '10.0.7.2', 'per-es'),
        prefixRoute('10.7.0.0/16', 50007, R, { epoch: 1 }),
      ]),
    );
    expect((await get('/v1/prefixes?ip=10.7.1.1')).body.matches.map((m: { prefix: string }) => m.prefix)).toEqual(['10.0.0.0/8', '10.7.0.0/16']);
    // Epoch 2 re-sends only the ES route; the resync withdraws the rest of epoch 1.
    await h(batch([esRoute(esi, R, { epoch: 2 })]));
    expect(await h(resyncComplete(R, 2, T0 + 5000))).toBeUndefined();
    const seg = (await get(`/v1/segments/${esi}`)).body;
    expect(seg.members.map((m: { vtep: string; adPerEs: boolean }) => [m.vtep, m.adPerEs])).toEqual([
      [R, false],
      ['10.0.7.2', true],
    ]);
    // 10.0.0.0/8 of VRF 50002 still covers the address; 10.7.0.0/16 of 50007 is gone.
    expect((await get('/v1/prefixes?ip=10.7.1.1')).body.matches.map((m: { prefix: string }) => m.prefix)).toEqual(['10.0.0.0/8']);
    expect(await store.index.get(keys.esMember(esi, R))).toMatchObject({ active: false });
    // The MAC's location no longer counts the detached member (RFC 7432 §8.2), and links to its segment.
    const host = (await get('/v1/hosts/02:55:00:00:00:01')).body;
    expect(host.locations[0]).toMatchObject({ esi, segment: `/v1/segments/${esi}` });
  });
});
