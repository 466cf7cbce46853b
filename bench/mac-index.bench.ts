/**
 * The MAC-index function against the DynamoDB API (in-process dynalite):
 *  - route events per second through the handler, in MSK-shaped batches of 500;
 *  - DynamoDB writes per 1,000 route events for an initial table dump arriving through three RIB views (pre-policy,
 *    post-policy, Loc-RIB) from two route reflectors, and for steady churn (hosts moving between VTEPs);
 *  - writes per move advertise-first (the new route, then the old one withdrawn) and withdraw-first (across data
 *    centers: the old route withdrawn 10 ms before the new one, no sequence numbers), the pair in one batch or split.
 * Writes are counted on the DynamoDB client (write-counter.ts), for every function that consumes evpn.routes.v1: the
 * health function gets the same batches as the MAC index (as in the stack), and both figures are given, with the sum.
 * Events per second are the MAC index's alone.
 */
import { createHealthHandler } from '../functions/health/handler.js';
import { createMacIndexHandler } from '../functions/mac-index/handler.js';
import { RibView } from '../schemas/events.js';
import { startTestStore } from '../test/support/dynalite.js';
import { macRoute, mskBatch, type Timed } from '../test/support/route-events.js';
import { countWrites } from './write-counter.js';

const MACS = Number(process.env.BENCH_MACS ?? 5_000);
const BATCH = 500;
const store = await startTestStore();
const handler = createMacIndexHandler({ ddb: store.doc, tableName: store.indexTable });
const health = createHealthHandler({ ddb: store.doc, tableName: `${store.prefix}health`, indexTableName: store.indexTable });
const counter = countWrites(store.client);
const mac = (i: number) =>
  `02:be:${((i >> 24) & 0xff).toString(16).padStart(2, '0')}:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const T0 = Date.parse('2026-11-24T00:00:00Z');

/** `writes`: the MAC index's; `healthWrites`: the health function's, for the same batches; `secs`: the MAC index's time. */
async function run(events: Timed[]): Promise<{ secs: number; writes: number; healthWrites: number }> {
  let ns = 0n;
  let writes = 0;
  let healthWrites = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    // Kafka keys type-2 events by MAC: one MAC's copies arrive together on one partition.
    const batch = mskBatch(events.slice(i, i + BATCH).map((e, j) => ({ ...e, partition: 0, offset: i + j })));
    const w0 = counter.writes;
    const t0 = process.hrtime.bigint();
    await handler(batch);
    ns += process.hrtime.bigint() - t0;
    writes += counter.writes - w0;
    const w1 = counter.writes;
    await health(batch);
    healthWrites += counter.writes - w1;
  }
  return { secs: Number(ns) / 1e9, writes, healthWrites };
}

/** Writes per route event: every function's, then each one's. */
const perEvent = (r: { writes: number; healthWrites: number }, events: number) =>
  `${((r.writes + r.healthWrites) / events).toFixed(2)} DynamoDB writes per route event, every function (mac-index ${(r.writes / events).toFixed(2)} + health ${(r.healthWrites / events).toFixed(2)})`;

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
  `initial dump: ${dump.length.toLocaleString()} route events (${MACS.toLocaleString()} MACs × 3 views × 2 RRs) in ${d.secs.toFixed(1)} s = ${Math.round(dump.length / d.secs).toLocaleString()} events/s (mac-index); ${perEvent(d, dump.length)}`,
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
  `churn: ${movers.toLocaleString()} moves, ${churn.length.toLocaleString()} route events in ${c.secs.toFixed(1)} s = ${Math.round(churn.length / c.secs).toLocaleString()} events/s (mac-index); ${perEvent(c, churn.length)}; ${((c.writes + c.healthWrites) / movers).toFixed(2)} writes per move, every function (mac-index ${(c.writes / movers).toFixed(2)}: MAC item + history entry)`,
);

// Replayed batch: a duplicate delivery of the churn costs nothing.
const r = await run(churn);
console.log(
  `redelivered churn: ${r.writes + r.healthWrites} writes (mac-index ${r.writes}, health ${r.healthWrites}) for ${churn.length.toLocaleString()} duplicate events`,
);

// Withdraw-first moves across data centers: the MAC leaves a dc1 VTEP (withdrawn) and 10 ms later appears at a dc2
// VTEP (advertised, sequence 0 as re-originated by a DCI gateway), via both RRs. A second round moves the same MACs
// back with each pair split between two batches (all withdrawals, then all advertisements): the worst case, where the
// disappearance is written and then turned into the move.
const wf = (round: number, split: boolean) => {
  const withdrawals: Timed[] = [];
  const adverts: Timed[] = [];
  const at = T0 + 120_000 + round * 60_000;
  for (let i = movers; i < 2 * movers; i++) {
    const [from, to] = round % 2 === 0 ? ['dc1', 'dc2'] : ['dc2', 'dc1'];
    const vtep = (f: string) => `10.${f === 'dc1' ? 1 : 2}.0.${1 + (i % 40)}`;
    for (const router of ['10.255.0.1', '10.255.0.2']) {
      const ip = `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;
      withdrawals.push({ ev: macRoute({ mac: mac(i), vtep: vtep(from), fabric: from, router, withdraw: true, ip, rd: `${vtep(from)}:1` }), atMs: at });
      adverts.push({ ev: macRoute({ mac: mac(i), vtep: vtep(to), fabric: to, router, ip, rd: `${vtep(to)}:1` }), atMs: at + 10 });
    }
  }
  if (split) return [...withdrawals, ...adverts];
  return withdrawals.flatMap((w, k) => [w, adverts[k]!]);
};
// Put the movers in dc1 first (advertise-first into place, not measured).
const place: Timed[] = [];
for (let i = movers; i < 2 * movers; i++)
  for (const router of ['10.255.0.1', '10.255.0.2'])
    place.push({
      ev: macRoute({
        mac: mac(i),
        vtep: `10.1.0.${1 + (i % 40)}`,
        fabric: 'dc1',
        router,
        seq: 1,
        ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
        rd: `10.1.0.${1 + (i % 40)}:1`,
      }),
      atMs: T0 + 90_000,
    });
for (const router of ['10.255.0.1', '10.255.0.2'])
  for (let i = movers; i < 2 * movers; i++)
    place.push({
      ev: macRoute({
        mac: mac(i),
        vtep: `10.0.0.${1 + (i % 40)}`,
        fabric: i % 2 ? 'dc2' : 'dc1',
        router,
        withdraw: true,
        ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
      }),
      atMs: T0 + 91_000,
    });
await run(place);
const moves0 = await moveCount();
const w1 = await run(wf(0, false));
const moves1 = await moveCount();
console.log(
  `withdraw-first moves, pair in one batch: ${movers.toLocaleString()} moves (${moves1 - moves0} recorded as moves) in ${w1.secs.toFixed(1)} s; ${((w1.writes + w1.healthWrites) / movers).toFixed(2)} writes per move, every function (mac-index ${(w1.writes / movers).toFixed(2)})`,
);
const w2 = await run(wf(1, true));
const moves2 = await moveCount();
console.log(
  `withdraw-first moves, pair split across batches: ${movers.toLocaleString()} moves (${moves2 - moves1} recorded as moves) in ${w2.secs.toFixed(1)} s; ${((w2.writes + w2.healthWrites) / movers).toFixed(2)} writes per move, every function (mac-index ${(w2.writes / movers).toFixed(2)}: disappearance written, then turned into the move)`,
);

async function moveCount(): Promise<number> {
  let n = 0;
  const items = await handler.store.getMacItems(Array.from({ length: movers }, (_, k) => ({ mac: mac(movers + k), vni: 10100 })));
  for (const it of items.values()) n += it.moveCount;
  return n;
}

await store.stop();
