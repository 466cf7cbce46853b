/**
 * The health function against the DynamoDB API (in-process dynalite):
 *  - gNMI counter samples per second through the handler, and DynamoDB item writes per 1,000 samples at steady state
 *    (aim: at most 50): devices with per-VNI VXLAN counters sampled every 10 s, delivered as the gNMI collector
 *    publishes them (one VtepSampleBatch record per device and interval, a device's records on one partition);
 *  - route events per second and writes per route event for a dump of type-2 and type-3 routes through three RIB views,
 *    and for churn.
 */
import { createHealthHandler } from '../functions/health/handler.js';
import { type IVtepSample, RibView, RouteEventBatch } from '../schemas/events.js';
import { TOPICS } from '../schemas/topics.js';
import { startTestStore } from '../test/support/dynalite.js';
import { counterSample, encodeSamples, imetRoute, mskEventOf, type RawRecord } from '../test/support/health-events.js';
import { macRoute } from '../test/support/route-events.js';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 24);
const VNIS = Number(process.env.BENCH_VNIS ?? 20);
const INTERVALS = Number(process.env.BENCH_INTERVALS ?? 36); // 6 minutes of 10-second samples
const PARTITIONS = 6;
const COUNTERS = ['total-encap-pkts', 'total-encap-bytes', 'total-decap-pkts', 'total-decap-bytes', 'bum-encap-pkts', 'drop-decap-pkts'];
const T0 = Date.parse('2026-11-24T10:00:00Z');

const store = await startTestStore();
const handler = createHealthHandler({
  ddb: store.doc,
  tableName: `${store.prefix}health`,
  indexTableName: store.indexTable,
  fabrics: [{ name: 'bench', expectedVteps: [] }],
  options: { gnmiIntervalSeconds: 10 },
  now: () => T0 + INTERVALS * 10_000,
});

// --- telemetry ---
const offsets = new Array<number>(PARTITIONS).fill(0);
let samples = 0;
let steadyWrites = 0;
let steadySamples = 0;
let steadySecs = 0;
const w0 = handler.store.writes;
const t0 = process.hrtime.bigint();
for (let t = 0; t < INTERVALS; t++) {
  // One interval: every device reports; the event source delivers each partition's records as one batch.
  const byPartition = new Map<number, RawRecord[]>();
  for (let d = 0; d < DEVICES; d++) {
    const tsMs = T0 + t * 10_000 + d * 50;
    const batch: IVtepSample[] = [];
    for (let v = 0; v < VNIS; v++)
      for (const name of COUNTERS)
        batch.push(
          counterSample({
            fabric: 'bench',
            device: `leaf${d}`,
            vtep: `10.9.0.${d + 1}`,
            vni: 10000 + v,
            name,
            value: BigInt(t) * BigInt(1000 + v * 10 + name.length),
            tsMs,
          }),
        );
    const p = d % PARTITIONS;
    const list = byPartition.get(p) ?? [];
    list.push({ partition: p, offset: offsets[p]!++, timestamp: tsMs, value: encodeSamples(batch) });
    byPartition.set(p, list);
    samples += batch.length;
  }
  const wBefore = handler.store.writes;
  const started = process.hrtime.bigint();
  for (const list of byPartition.values()) await handler(mskEventOf(TOPICS.vtepTelemetry, list));
  if (t >= 6) {
    // Steady state: past the first minute (devices and buckets created).
    steadyWrites += handler.store.writes - wBefore;
    steadySamples += DEVICES * VNIS * COUNTERS.length;
    steadySecs += Number(process.hrtime.bigint() - started) / 1e9;
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  `telemetry: ${samples.toLocaleString()} counter samples (${DEVICES} devices × ${VNIS} VNIs × ${COUNTERS.length} counters, every 10 s of device time, ${INTERVALS} intervals) in ${secs.toFixed(1)} s = ${Math.round(samples / secs).toLocaleString()} samples/s; ${handler.store.writes - w0} writes`,
);
console.log(
  `telemetry steady state: ${((1000 * steadyWrites) / steadySamples).toFixed(1)} DynamoDB item writes per 1,000 counter samples (aim ≤ 50); ${Math.round(steadySamples / steadySecs).toLocaleString()} samples/s`,
);

// --- routes ---
const ROUTES = Number(process.env.BENCH_ROUTES ?? 3000);
const mac = (i: number) => `02:be:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
async function runRoutes(events: ReturnType<typeof macRoute>[], atMs: number): Promise<{ secs: number; writes: number }> {
  const w = handler.store.writes;
  const s = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += 500) {
    const chunk = events.slice(i, i + 500);
    await handler(
      mskEventOf(
        TOPICS.routes,
        chunk.map((e, j) => ({ partition: 0, offset: 100_000 + i + j + atMs, timestamp: atMs, value: RouteEventBatch.encode({ events: [e] }).finish() })),
      ),
    );
  }
  return { secs: Number(process.hrtime.bigint() - s) / 1e9, writes: handler.store.writes - w };
}
const dump = [];
for (let i = 0; i < ROUTES; i++)
  for (const view of [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB])
    dump.push(macRoute({ mac: mac(i), vtep: `10.9.0.${1 + (i % DEVICES)}`, fabric: 'bench', router: '10.255.0.1', view }));
for (let d = 0; d < DEVICES; d++)
  for (let v = 0; v < VNIS; v++) dump.push(imetRoute({ fabric: 'bench', vtep: `10.9.0.${d + 1}`, vni: 10000 + v, router: '10.255.0.1' }));
const r1 = await runRoutes(dump, T0);
console.log(
  `routes, initial dump: ${dump.length.toLocaleString()} route events (${ROUTES.toLocaleString()} type-2 × 3 RIB views + ${DEVICES * VNIS} type-3) in ${r1.secs.toFixed(1)} s = ${Math.round(dump.length / r1.secs).toLocaleString()} events/s; ${(r1.writes / dump.length).toFixed(2)} writes per route event`,
);
const churn = [];
for (let i = 0; i < ROUTES / 10; i++) {
  churn.push(macRoute({ mac: mac(i), vtep: `10.9.0.${1 + ((i + 1) % DEVICES)}`, fabric: 'bench', router: '10.255.0.1', seq: 1, rd: `10.9.1.${i % 250}:1` }));
  churn.push(macRoute({ mac: mac(i), vtep: `10.9.0.${1 + (i % DEVICES)}`, fabric: 'bench', router: '10.255.0.1', withdraw: true }));
}
const r2 = await runRoutes(churn, T0 + 60_000);
console.log(
  `routes, churn: ${churn.length.toLocaleString()} route events (${ROUTES / 10} MACs moving: new route, old withdrawn) in ${r2.secs.toFixed(1)} s; ${(r2.writes / churn.length).toFixed(2)} writes per route event`,
);
const r3 = await runRoutes(churn, T0 + 60_000);
console.log(`routes, redelivered churn: ${r3.writes} writes for ${churn.length.toLocaleString()} duplicate events`);
await store.stop();
