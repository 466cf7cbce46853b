/**
 * The route index (functions/route-index) on the embedded store, as the local stack runs it:
 *  - type-5 prefixes: a dump of 5,000 prefixes in 50 IP-VRFs, each advertised by 2 VTEPs and reported 6 times
 *    (2 route reflectors × 3 RIB views): events per second and item writes per event;
 *  - Ethernet segments: 500 segments of 2 members, each member with its ES route, per-ES A-D route and 10 per-EVI A-D
 *    routes: events per second and writes per event;
 *  - longest-prefix match with 1,000 VRFs of 6 prefix lengths each: keys read and time per lookup (GET /v1/prefixes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RouteIndexReader } from '../functions/api/route-index-reader.js';
import { createRouteIndexHandler } from '../functions/route-index/handler.js';
import { LmdbStore } from '../infra/local/lmdb-table-store.js';
import { RibView } from '../schemas/events.js';
import { indexTable } from '../schemas/tables/index.js';
import { packedMskBatch, type Timed } from '../test/support/route-events.js';
import { adRoute, esRoute, prefixRoute } from '../test/support/route-index-events.js';

const dir = mkdtempSync(join(tmpdir(), 'evpn-lens-bench-'));
const store = new LmdbStore({ path: dir });
const table = store.table(indexTable.id, indexTable);
const handler = createRouteIndexHandler({ table });
const T0 = Date.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function run(label: string, events: Timed[]): Promise<void> {
  const w0 = handler.store.writes;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += 5000) await handler(packedMskBatch(events.slice(i, i + 5000), 500));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(
    `${label}: ${fmt(events.length)} route events in ${secs.toFixed(1)} s = ${fmt(events.length / secs)} events/s (${fmt(events.length / cpu)} per CPU-second); ${((handler.store.writes - w0) / events.length).toFixed(2)} item writes per event`,
  );
}

const views = [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB];
const prefixes: Timed[] = [];
for (const router of ['10.255.0.1', '10.255.0.2'])
  for (const view of views)
    for (let i = 0; i < 5000; i++)
      for (const vtep of [`10.0.${i % 40}.1`, `10.0.${i % 40}.2`])
        prefixes.push({ ev: prefixRoute(`10.${i >> 8}.${i & 0xff}.0/24`, 50000 + (i % 50), vtep, { router, view }), atMs: T0, partition: i % 12 });
await run('prefixes, 6-copy dump of 5,000 prefixes × 2 VTEPs in 50 VRFs', prefixes);

const segments: Timed[] = [];
for (let s = 0; s < 500; s++) {
  const esi = `00:44:00:00:00:00:00:00:${(s >> 8).toString(16).padStart(2, '0')}:${(s & 0xff).toString(16).padStart(2, '0')}`;
  for (const m of [`10.1.${s >> 8}.${s & 0xff}`, `10.2.${s >> 8}.${s & 0xff}`])
    for (const ev of [esRoute(esi, m), adRoute(esi, m, 'per-es'), ...Array.from({ length: 10 }, (_, k) => adRoute(esi, m, 10100 + k))])
      segments.push({ ev, atMs: T0, partition: s % 12 });
}
await run('segments, 500 segments × 2 members × 12 routes', segments);

// 1,000 VRFs with one prefix of each of 6 lengths covering 10.200.1.1.
const lpm: Timed[] = [];
for (let v = 0; v < 1000; v++)
  // Host bits are cleared by the index (10.200.1.0/8 is 10.0.0.0/8).
  for (const len of [8, 12, 16, 20, 24, 28]) lpm.push({ ev: prefixRoute(`10.200.1.0/${len}`, 60000 + v, '10.9.9.9'), atMs: T0, partition: v % 12 });
await run('prefixes for the longest-prefix match: 1,000 VRFs × 6 lengths', lpm);
const reader = new RouteIndexReader(table);
const lookups = 20;
let keysRead = 0;
let matched = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < lookups; i++) {
  const r = await reader.lpm('10.200.1.1');
  keysRead = r.keysRead;
  matched = r.items.length;
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / lookups;
console.log(
  `longest-prefix match over 1,050 VRFs: ${fmt(keysRead)} keys read (1 VRF-list query + BatchGetItem), ${matched} live covering prefixes, ${ms.toFixed(1)} ms per lookup`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
