import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthHandler, type HealthHandler } from '../../../../functions/health/handler.js';
import { createHealthTick } from '../../../../functions/health/tick.js';
import { buildFabricView } from '../../../../functions/shared/fabric-health/fabric-view.js';
import type { Context } from '../../../../functions/shared/msk.js';
import { Alert, AlertState, AlertType, RibView, RouteEventBatch } from '../../../../schemas/events.js';
import { u64 } from '../../../../schemas/long.js';
import { minuteOf } from '../../../../schemas/tables/index.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { startTestStore } from '../../../support/dynalite.js';
import { counterSample, encodeSamples, encodeSession, imetRoute, mskEventOf, peerDown, peerUp, routerDown } from '../../../support/health-events.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

function handlerFor(now: () => number, expectedVteps: string[] = []): HealthHandler {
  return createHealthHandler({
    ddb: store.doc,
    tableName: `${store.prefix}health`,
    indexTableName: store.indexTable,
    fabrics: [{ name: 'f1', expectedVteps }],
    options: { gnmiIntervalSeconds: 1 },
    now,
  });
}

const view = async (h: HealthHandler, nowMs: number) =>
  buildFabricView(
    await h.reader.snapshot('f1', nowMs, true),
    { expectedVteps: ['10.0.0.1', '10.0.0.2'], gnmiIntervalSeconds: 1, staleAfterIntervals: 3, rules: h.options.rules },
    nowMs,
  );

describe('health handler', () => {
  it('follows sessions: up, down with the reason named, router lost', async () => {
    let now = T0;
    const h = handlerFor(() => now);
    const r1 = { fabric: 'f1', bgpId: '10.9.0.1' };
    const ev = [peerUp(r1, '127.0.5.2', T0), peerUp(r1, '127.0.5.3', T0 + 1)];
    await h(
      mskEventOf(
        TOPICS.sessions,
        ev.map((e, i) => ({ offset: i, timestamp: T0, value: encodeSession(e) })),
      ),
    );
    let v = await view(h, now);
    expect(v.sessions).toEqual({ up: 2, total: 2, down: [] });
    expect(v.routers).toEqual([expect.objectContaining({ router: '127.0.0.1/10.9.0.1', connected: true })]);

    now = T0 + 5000;
    await h(mskEventOf(TOPICS.sessions, [{ offset: 2, timestamp: now, value: encodeSession(peerDown(r1, '127.0.5.3', now)) }]));
    v = await view(h, now);
    expect(v.sessions.up).toBe(1);
    expect(v.sessions.down).toEqual([
      expect.objectContaining({
        peer: '127.0.5.3',
        state: 'down',
        reason: 'remote system closed the session (NOTIFICATION received): Cease / Administrative Shutdown',
      }),
    ]);
    const status = await h.reader.status('f1');
    expect(status).toMatchObject({ status: 'critical' }); // 1 of 2 down = 50 %: the critical share
    expect(status!.reasons[0]).toMatch(/EVPN session 127\.0\.0\.1\/10\.9\.0\.1 → 127\.0\.5\.3 .* down since/);

    // A redelivery of the whole partition changes nothing.
    await h(
      mskEventOf(
        TOPICS.sessions,
        [...ev, peerDown(r1, '127.0.5.3', T0 + 5000)].map((e, i) => ({ offset: i, timestamp: T0, value: encodeSession(e) })),
      ),
    );
    expect((await view(h, now)).sessions.up).toBe(1);

    now = T0 + 9000;
    await h(mskEventOf(TOPICS.sessions, [{ offset: 3, timestamp: now, value: encodeSession(routerDown(r1, now)) }]));
    v = await view(h, now);
    expect(v.routers[0]).toMatchObject({ connected: false, detail: 'TCP session closed' });
    expect(v.sessions.up).toBe(0);
    expect(v.sessions.down.map((s) => s.state)).toEqual(['unknown', 'unknown']);
    expect(v.freshness.sources).toEqual([expect.objectContaining({ kind: 'bmp', state: 'stale' })]);
  });

  it('starts no new partition with too little time left: hands the rest back, and the redelivery completes it', async () => {
    // Arrange: three routers' sessions on three partitions; the first invocation is out of time from the start.
    const now = T0;
    const h = handlerFor(() => now);
    const routers = [1, 2, 3].map((i) => ({ fabric: 'f1', bgpId: `10.9.1.${i}` }));
    const event = mskEventOf(
      TOPICS.sessions,
      routers.map((r, i) => ({ partition: i, offset: 7, timestamp: T0, value: encodeSession(peerUp(r, `127.0.6.${i + 1}`, T0)) })),
    );
    const late = { getRemainingTimeInMillis: () => 0 } as Context;
    const ample = { getRemainingTimeInMillis: () => 120_000 } as Context;

    // Act
    const first = await h(event, late);
    const rest = {
      ...event,
      records: Object.fromEntries(first!.batchItemFailures.map((f) => [f.itemIdentifier.partition, event.records[f.itemIdentifier.partition]!])),
    };
    const afterFirst = (await view(h, now)).sessions.up;
    const second = await h(rest, ample);

    // Assert: one partition applied, two handed back (not failed) at their first record; then all three.
    expect(afterFirst).toBe(1);
    expect(first?.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      { partition: `${TOPICS.sessions}-1`, offset: 7 },
      { partition: `${TOPICS.sessions}-2`, offset: 7 },
    ]);
    expect(first?.handedBack).toEqual([`${TOPICS.sessions}-1`, `${TOPICS.sessions}-2`]);
    expect(second).toBeUndefined();
    expect((await view(h, now)).sessions.up).toBe(3);
  });

  it('counts routes by type and VTEPs from type-3 routes exactly once under redelivery', async () => {
    const now = T0;
    const h = createHealthHandler({ ddb: store.doc, tableName: `${store.prefix}health`, indexTableName: store.indexTable, fabrics: [], now: () => now });
    const routes = [
      imetRoute({ fabric: 'f2', vtep: '10.0.0.1', vni: 100, router: '10.9.0.1' }),
      imetRoute({ fabric: 'f2', vtep: '10.0.0.1', vni: 100, router: '10.9.0.1', view: RibView.RIB_VIEW_ADJ_RIB_IN_PRE }),
      imetRoute({ fabric: 'f2', vtep: '10.0.0.1', vni: 200, router: '10.9.0.1' }),
      imetRoute({ fabric: 'f2', vtep: '10.0.0.2', vni: 100, router: '10.9.0.2' }),
    ];
    const recs = routes.map((e, i) => ({ offset: i, partition: i % 2, timestamp: now, value: RouteEventBatch.encode({ events: [e] }).finish() }));
    await h(mskEventOf(TOPICS.routes, recs));
    await h(mskEventOf(TOPICS.routes, recs)); // redelivered
    const snap = await h.reader.snapshot('f2', now, true);
    const v = buildFabricView(snap, { expectedVteps: [], gnmiIntervalSeconds: 1, staleAfterIntervals: 3, rules: h.options.rules }, now + 120_000);
    expect(v.routesByType).toEqual({ '3': 3 });
    expect(v.vteps.map((x) => [x.vtep, x.state, x.imet, x.vnis])).toEqual([
      ['10.0.0.1', 'up', 2, [100, 200]],
      ['10.0.0.2', 'up', 1, [100]],
    ]);
    expect(v.vnis).toEqual([
      { vni: 100, vteps: ['10.0.0.1', '10.0.0.2'], macs: 0 },
      { vni: 200, vteps: ['10.0.0.1'], macs: 0 },
    ]);
    // One of two reporters withdraws: still live. Both: gone.
    const w = [
      imetRoute({ fabric: 'f2', vtep: '10.0.0.2', vni: 100, router: '10.9.0.2', withdraw: true }),
      imetRoute({ fabric: 'f2', vtep: '10.0.0.1', vni: 100, router: '10.9.0.1', withdraw: true }),
    ];
    await h(
      mskEventOf(
        TOPICS.routes,
        w.map((e, i) => ({ offset: 10 + i, partition: 1, timestamp: now + 60_000, value: RouteEventBatch.encode({ events: [e] }).finish() })),
      ),
    );
    const v2 = buildFabricView(
      await h.reader.snapshot('f2', now, true),
      { expectedVteps: ['10.0.0.2'], gnmiIntervalSeconds: 1, staleAfterIntervals: 3, rules: h.options.rules },
      now + 120_000,
    );
    expect(v2.routesByType).toEqual({ '3': 2 });
    expect(v2.vteps.find((x) => x.vtep === '10.0.0.2')).toMatchObject({ state: 'missing', expected: true });
    expect(v2.churnPerMinute).toBe((3 + 1) / 5); // three routes appeared, one went
  });

  it('lists flapping MACs from mac-flap alerts and ignores its own fabric-status alerts', async () => {
    const now = T0;
    const h = handlerFor(() => now);
    const raise = Alert.encode({
      id: 'mac-flap/02:00:00:00:00:01/100/1',
      type: AlertType.ALERT_TYPE_MAC_FLAP,
      state: AlertState.ALERT_STATE_RAISED,
      mac: '02:00:00:00:00:01',
      vni: 100,
      fabric: 'f3',
      fabrics: ['f3'],
      raisedAtMs: u64(now),
      moveCount: 5,
      detail: '5 moves within 180 s',
    }).finish();
    const own = Alert.encode({
      id: 'fabric-status/f3/1',
      type: AlertType.ALERT_TYPE_FABRIC_STATUS,
      state: AlertState.ALERT_STATE_RAISED,
      fabric: 'f3',
      status: 'critical',
    }).finish();
    await h(
      mskEventOf(TOPICS.alerts, [
        { offset: 0, timestamp: now, value: raise },
        { offset: 1, timestamp: now, value: own },
      ]),
    );
    const st = await h.reader.status('f3');
    expect(st).toMatchObject({ status: 'degraded', reasons: [expect.stringMatching(/MAC 02:00:00:00:00:01 flapping in VNI 100/)] });
    expect(h.stats.alerts).toBe(1);
  });
});

describe('health tick', () => {
  it('deletes minute items older than a day and counter buckets past their retention where there is no TTL', async () => {
    const now = T0 + 30 * 3600_000;
    const h = createHealthHandler({ ddb: store.doc, tableName: `${store.prefix}health`, indexTableName: store.indexTable, now: () => now });
    const samples = [T0, T0 + 60_000, now - 120_000, now - 60_000].map((tsMs, i) =>
      counterSample({ fabric: 'f9', device: 'leaf9', vtep: '10.9.9.9', name: 'total-encap-pkts', value: BigInt(i * 1000), tsMs }),
    );
    await h(mskEventOf(TOPICS.vtepTelemetry, [{ offset: 0, timestamp: now, value: encodeSamples(samples) }]));
    const minutes = async () => (await h.reader.minutes('f9', '2000-01-01T00:00')).map((m) => m.sk);
    const buckets = async () => (await h.reader.buckets('f9', 'leaf9', '2000-01-01T00:00')).map((b) => b.sk);
    // Reads never return an expired item (the store port's rule); the sweep deletes what is still stored.
    expect(await buckets()).toHaveLength(2);
    expect(await minutes()).toHaveLength(2);
    const stored = async () => (await h.store.table.scan(undefined, 10_000)).items.length; // live items
    const before = await stored();
    const r = await createHealthTick(h, [], { sweepExpired: true })(now);
    expect(r.swept).toBeGreaterThanOrEqual(4); // two old minute items and two old buckets here (and old minutes of other fabrics)
    expect(await stored()).toBe(before); // only expired items were deleted
    expect(await minutes()).toEqual([minuteOf(now - 120_000), minuteOf(now - 60_000)]);
    expect(await buckets()).toEqual([minuteOf(now - 120_000), minuteOf(now - 60_000)]);
  });
});
