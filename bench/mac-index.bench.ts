/**
 * The MAC-index function against the DynamoDB API (in-process dynalite):
 *  - route events per second through the handler, in MSK-shaped batches of 500;
 *  - DynamoDB writes per 1,000 route events for an initial table dump arriving through three RIB views (pre-policy,
 *    post-policy, Loc-RIB) from two route reflectors, and for steady churn (hosts moving between VTEPs).
 */
import { createMacIndexHandler } from '../functions/mac-index/handler.js';
import { RibView } from '../schemas/events.js';
import { startTestStore } from '../test/support/dynalite.js';
import { macRoute, mskBatch, type Timed } from '../test/support/route-events.js';

const MACS = Number(process.env.BENCH_MACS ?? 5_000);
const BATCH = 500;
const store = await startTestStore();
const handler = createMacIndexHandler({ ddb: store.doc, tableName: store.indexTable });
const mac = (i: number) =>
  `02:be:${((i >> 24) & 0xff).toString(16).padStart(2, '0')}:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const T0 = Date.parse('2026-11-24T00:00:00Z');

async function run(events: Timed[]): Promise<{ secs: number; writes: number }> {
  const w0 = handler.store.writes;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += BATCH) {
    // Kafka keys type-2 events by MAC: one MAC's copies arrive together on one partition.
    await handler(mskBatch(events.slice(i, i + BATCH).map((e, j) => ({ ...e, partition: 0, offset: i + j }))));
  }
  return { secs: Number(process.hrtime.bigint() - t0) / 1e9, writes: handler.store.writes - w0 };
}

// Initial dump: every MAC through 2 route reflectors × 3 RIB views = 6 copies, 40 VTEPs, 1 IP per MAC.
const dump: Timed[] = [];
for (let i = 0; i < MACS; i++) {
  for (const router of ['10.255.0.1', '10.255.0.2'])
    for (const view of [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB])
      dump.push({
        ev: macRoute({
          mac: mac(i),
          vtep: `10.0.0.${1 + (i % 40)}`,
          fabric: i % 2 ? 'dc2' : 'dc1',
          router,
          view,
          ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
        }),
        atMs: T0,
      });
}
const d = await run(dump);
console.log(
  `initial dump: ${dump.length.toLocaleString()} route events (${MACS.toLocaleString()} MACs × 3 views × 2 RRs) in ${d.secs.toFixed(1)} s = ${Math.round(dump.length / d.secs).toLocaleString()} events/s; ${((1000 * d.writes) / dump.length).toFixed(0)} writes per 1,000 events (${(d.writes / dump.length).toFixed(2)} per event)`,
);

// Steady churn: 10% of the MACs move to another VTEP (new route with sequence+1, then the old one withdrawn), via both RRs.
const churn: Timed[] = [];
const movers = Math.floor(MACS / 10);
for (let i = 0; i < movers; i++) {
  for (const router of ['10.255.0.1', '10.255.0.2']) {
    churn.push({
      ev: macRoute({
        mac: mac(i),
        vtep: `10.0.1.${1 + (i % 40)}`,
        fabric: i % 2 ? 'dc2' : 'dc1',
        router,
        seq: 1,
        ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
        rd: `10.0.1.${1 + (i % 40)}:1`,
      }),
      atMs: T0 + 60_000,
    });
    churn.push({
      ev: macRoute({
        mac: mac(i),
        vtep: `10.0.0.${1 + (i % 40)}`,
        fabric: i % 2 ? 'dc2' : 'dc1',
        router,
        withdraw: true,
        ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
      }),
      atMs: T0 + 61_000,
    });
  }
}
const c = await run(churn);
console.log(
  `churn: ${movers.toLocaleString()} moves, ${churn.length.toLocaleString()} route events in ${c.secs.toFixed(1)} s = ${Math.round(churn.length / c.secs).toLocaleString()} events/s; ${((1000 * c.writes) / churn.length).toFixed(0)} writes per 1,000 events, ${(c.writes / movers).toFixed(2)} writes per move (MAC item + history entry)`,
);

// Replayed batch: a duplicate delivery of the churn costs nothing.
const r = await run(churn);
console.log(`redelivered churn: ${r.writes} writes for ${churn.length.toLocaleString()} duplicate events`);
await store.stop();
