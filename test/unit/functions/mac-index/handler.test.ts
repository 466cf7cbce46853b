import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler, type MacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { queryAll } from '../../../../functions/shared/store/query-all.js';
import { Alert, RibView } from '../../../../schemas/events.js';
import { type AlertItem, type HistoryItem, keys, type MacItem } from '../../../../schemas/tables/index.js';
import { macRoute, mskBatch, packedMskBatch, perEsAd, type Timed } from '../../../support/route-events.js';
import { ADAPTERS, type OpenedStore, openStore, scanAll } from '../../../support/store-adapters.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
let store: OpenedStore;

function newHandler(published: Uint8Array[] = []): MacIndexHandler {
  return createMacIndexHandler({
    table: store.index,
    alertPublisher: { publish: async (a) => void published.push(...a.map((x) => x.value)) },
  });
}
const get = async (h: MacIndexHandler, mac: string, vni = 10100) => h.store.getMacItem(mac, { vni });
const at = (s: number) => T0 + s * 1000;
const alertsFor = async (mac: string) => (await queryAll<AlertItem>(store.index, { pk: keys.alertMonthPk('2026-11') })).filter((a) => a.mac === mac);
const historyOf = async (mac: string) => queryAll<HistoryItem>(store.index, { pk: keys.historyPk(mac) });

describe.each(ADAPTERS)('mac-index handler (%s store)', (adapter) => {
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  it('locates hosts in two fabrics', async () => {
    const h = newHandler();
    await h(
      mskBatch([
        { ev: macRoute({ mac: '02:00:00:00:01:01', vtep: '10.1.0.1', fabric: 'dc1', ip: '192.168.1.1' }), atMs: at(0) },
        { ev: macRoute({ mac: '02:00:00:00:01:02', vtep: '10.2.0.1', fabric: 'dc2', vni: 20200 }), atMs: at(0) },
      ]),
    );
    expect((await get(h, '02:00:00:00:01:01'))?.location).toMatchObject({
      fabric: 'dc1',
      vtep: '10.1.0.1',
      vteps: ['10.1.0.1'],
      ips: ['192.168.1.1'],
      vni: 10100,
    });
    expect((await get(h, '02:00:00:00:01:02', 20200))?.location).toMatchObject({ fabric: 'dc2', vtep: '10.2.0.1' });
  });

  it('applies every event of a record that packs several, in order', async () => {
    const h = newHandler();
    const [a, b, c] = ['02:00:00:00:0a:01', '02:00:00:00:0a:02', '02:00:00:00:0a:03'];
    await h(
      packedMskBatch(
        [
          { ev: macRoute({ mac: a, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) },
          { ev: macRoute({ mac: b, vtep: '10.1.0.2', fabric: 'dc1' }), atMs: at(0) },
          { ev: macRoute({ mac: a, vtep: '10.2.0.1', fabric: 'dc2', seq: 1 }), atMs: at(0) },
          { ev: macRoute({ mac: a, vtep: '10.1.0.1', fabric: 'dc1', withdraw: true }), atMs: at(0) },
          { ev: macRoute({ mac: c, vtep: '10.1.0.3', fabric: 'dc1' }), atMs: at(0), partition: 1 },
          { ev: macRoute({ mac: c, vtep: '10.1.0.3', fabric: 'dc1', withdraw: true }), atMs: at(0), partition: 1 },
        ],
        3,
      ),
    );
    expect((await get(h, a))?.location).toMatchObject({ fabric: 'dc2', vtep: '10.2.0.1', sequence: 1 });
    expect((await get(h, b))?.location).toMatchObject({ fabric: 'dc1', vtep: '10.1.0.2' });
    expect((await get(h, c))?.location ?? undefined).toBeUndefined();
    expect((await historyOf(a)).map((x) => x.kind)).toEqual(['move']);
    expect(h.stats.routeEvents).toBe(6);
  });

  it('follows a move across fabrics and keeps it in the history', async () => {
    const h = newHandler();
    const mac = '02:00:00:00:02:01';
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) }]));
    await h(
      mskBatch([
        { ev: macRoute({ mac, vtep: '10.2.0.7', fabric: 'dc2', seq: 1 }), atMs: at(10) },
        { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', withdraw: true }), atMs: at(11) },
      ]),
    );
    const item = (await get(h, mac))!;
    expect(item.location).toMatchObject({ fabric: 'dc2', vtep: '10.2.0.7', sequence: 1, since: new Date(at(10)).toISOString() });
    const hist = await historyOf(mac);
    expect(hist.map((x) => x.kind)).toEqual(['move']);
    expect(hist[0]).toMatchObject({ from: { fabric: 'dc1', vtep: '10.1.0.1' }, to: { fabric: 'dc2', vtep: '10.2.0.7' } });
    expect(await alertsFor(mac)).toEqual([]);
  });

  it('treats a move within a fabric (new route before the withdrawal) as one move', async () => {
    const h = newHandler();
    const mac = '02:00:00:00:03:01';
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.2', fabric: 'dc1', seq: 1 }), atMs: at(5) }]));
    expect((await get(h, mac))?.location?.vtep).toBe('10.1.0.2');
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', withdraw: true }), atMs: at(6) }]));
    const item = (await get(h, mac))!;
    expect(item.location).toMatchObject({ vtep: '10.1.0.2', since: new Date(at(5)).toISOString() });
    expect(item.moveCount).toBe(1);
  });

  it('shows a dual-homed host on an ESI as one location with both VTEPs, no move and no alert', async () => {
    const h = newHandler();
    const mac = '02:00:00:00:04:01';
    const esi = '00:11:11:11:11:11:11:11:11:11';
    const batch: Timed[] = [];
    for (let i = 0; i < 8; i++) batch.push({ ev: macRoute({ mac, vtep: i % 2 ? '10.1.0.12' : '10.1.0.11', fabric: 'dc1', esi }), atMs: at(i) });
    await h(mskBatch(batch));
    const item = (await get(h, mac))!;
    expect(item.location).toMatchObject({ esi, vtep: '10.1.0.11', vteps: ['10.1.0.11', '10.1.0.12'] });
    expect(item.moveCount).toBe(0);
    expect(await alertsFor(mac)).toEqual([]);
    // RFC 7432 §8.2: the per-ES A-D withdrawal is recorded for the segment (readers drop that VTEP).
    await h(
      mskBatch([
        { ev: perEsAd({ esi, vtep: '10.1.0.12', fabric: 'dc1' }), atMs: at(9) },
        { ev: perEsAd({ esi, vtep: '10.1.0.12', fabric: 'dc1', withdraw: true }), atMs: at(10) },
      ]),
    );
    const es = await queryAll(store.index, { pk: keys.esPk(esi) });
    expect(es).toEqual([expect.objectContaining({ vtep: '10.1.0.12', active: false })]);
  });

  it('removes a withdrawn host', async () => {
    const h = newHandler();
    const mac = '02:00:00:00:05:01';
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', ip: '192.168.5.1' }), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', ip: '192.168.5.1', withdraw: true }), atMs: at(1) }]));
    const item = (await get(h, mac))!;
    expect(item.location).toBeUndefined();
    expect(item.gsi1pk).toBeUndefined();
    expect(await queryAll(store.index, { pk: keys.ipPk('192.168.5.1') })).toEqual([]);
    expect((await historyOf(mac)).map((x) => x.kind)).toEqual(['disappear']);
  });

  it('flags a flapping MAC once per episode (6 moves in 180 s) and clears it after a quiet period', async () => {
    const published: Uint8Array[] = [];
    const h = newHandler(published);
    const mac = '02:00:00:00:06:01';
    for (let i = 0; i <= 6; i++) {
      await h(mskBatch([{ ev: macRoute({ mac, vtep: i % 2 ? '10.2.0.9' : '10.1.0.9', fabric: i % 2 ? 'dc2' : 'dc1', seq: i }), atMs: at(i * 20) }]));
    }
    const alerts = await alertsFor(mac);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'mac-flap', vni: 10100, moveCount: 5, raisedAt: new Date(at(100)).toISOString() });
    expect(alerts[0]!.clearedAt).toBeUndefined();
    expect(published.map((b) => Alert.decode(b).state)).toEqual([1]);

    expect(await h.sweepAlerts(at(120 + 179))).toBe(0);
    expect(await h.sweepAlerts(at(120 + 181))).toBe(1);
    expect((await alertsFor(mac))[0]!.clearedAt).toBe(new Date(at(301)).toISOString());
    expect(published.map((b) => Alert.decode(b).state)).toEqual([1, 2]);
  });

  it('raises no alert for a single move or for repeats of the same route through several views and reflectors', async () => {
    const h = newHandler();
    const mac = '02:00:00:00:07:01';
    const batch: Timed[] = [];
    for (const router of ['10.9.0.1', '10.9.0.2'])
      for (const view of [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB])
        for (let r = 0; r < 3; r++) batch.push({ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', router, view }), atMs: at(r) });
    await h(mskBatch(batch));
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.2', fabric: 'dc1', seq: 1 }), atMs: at(30) }]));
    const item = (await get(h, mac))!;
    expect(item.location?.vtep).toBe('10.1.0.2');
    expect(item.moveCount).toBe(1);
    expect(await alertsFor(mac)).toEqual([]);
  });

  it('flags a duplicate MAC that keeps equal sequence numbers on two ESIs, and a sticky MAC seen moving', async () => {
    const h = newHandler();
    const dup = '02:00:00:00:08:01';
    await h(
      mskBatch([
        { ev: macRoute({ mac: dup, vtep: '10.1.0.1', fabric: 'dc1', seq: 3 }), atMs: at(0) },
        { ev: macRoute({ mac: dup, vtep: '10.2.0.1', fabric: 'dc2', seq: 3 }), atMs: at(1) },
      ]),
    );
    expect(await alertsFor(dup)).toEqual([]); // not yet: a move may be in progress
    await h(mskBatch([{ ev: macRoute({ mac: dup, vtep: '10.2.0.1', fabric: 'dc2', seq: 3, ip: '10.0.0.8' }), atMs: at(40) }]));
    expect((await alertsFor(dup)).map((a) => a.type)).toEqual(['duplicate-mac']);

    const sticky = '02:00:00:00:08:02';
    await h(
      mskBatch([
        { ev: macRoute({ mac: sticky, vtep: '10.1.0.1', fabric: 'dc1', sticky: true }), atMs: at(0) },
        { ev: macRoute({ mac: sticky, vtep: '10.1.0.5', fabric: 'dc1', seq: 9 }), atMs: at(2) },
      ]),
    );
    expect((await get(h, sticky))?.location?.vtep).toBe('10.1.0.1');
    expect((await alertsFor(sticky)).map((a) => a.type)).toEqual(['sticky-move']);
  });

  it('leaves the same index when a batch is delivered twice', async () => {
    const h = newHandler();
    const mac = '02:00:00:00:09:01';
    const batch = mskBatch([
      { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) },
      { ev: macRoute({ mac, vtep: '10.1.0.3', fabric: 'dc1', seq: 1 }), atMs: at(9) },
    ]);
    await h(batch);
    const once = await get(h, mac);
    const writes = h.store.writes;
    await h(batch);
    expect(await get(h, mac)).toEqual(once);
    expect(h.store.writes).toBe(writes);
  });

  it('counts at most 0.4 writes per event for an initial dump through 3 views and 2 route reflectors, and one per move in churn', async () => {
    const h = newHandler();
    const batch: Timed[] = [];
    for (let m = 0; m < 100; m++) {
      const mac = `02:00:00:10:00:${m.toString(16).padStart(2, '0')}`;
      for (const router of ['10.9.0.1', '10.9.0.2'])
        for (const view of [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB])
          batch.push({ ev: macRoute({ mac, vtep: `10.1.1.${m % 10}`, fabric: 'dc1', router, view, ip: `172.16.0.${m}` }), atMs: at(0) });
    }
    await h(mskBatch(batch));
    const dumpWrites = h.store.writes;
    expect(dumpWrites / batch.length).toBeLessThanOrEqual(0.4);

    const churn: Timed[] = [];
    for (let m = 0; m < 50; m++) {
      const mac = `02:00:00:10:00:${m.toString(16).padStart(2, '0')}`;
      for (const router of ['10.9.0.1', '10.9.0.2'])
        churn.push({ ev: macRoute({ mac, vtep: `10.1.2.${m % 10}`, fabric: 'dc1', router, seq: 1, ip: `172.16.0.${m}` }), atMs: at(60) });
    }
    await h(mskBatch(churn));
    const churnWrites = h.store.writes - dumpWrites;
    // Per move: the MAC item and its history entry (a separate item so that it can expire by TTL); registry and
    // per-minute counters are per batch, not per move.
    expect(churnWrites / 50).toBeLessThanOrEqual(2.3);
    const all = (await scanAll(store.index)) as unknown as MacItem[];
    expect(all.filter((i) => i.pk?.startsWith('MAC#02:00:00:10')).every((i) => i.location)).toBe(true);
  });
});
