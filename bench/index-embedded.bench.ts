/**
 * The MAC-index and health functions on the embedded store (LMDB in a temporary directory), as the local stack runs
 * them: route events per second through each handler, for
 *  - a dump arriving 6 times (2 route reflectors × 3 RIB views: pre-policy, post-policy, Loc-RIB), and
 *  - new MACs, one event each,
 * in MSK-shaped batches of packed records (the collector packs up to 500 events per record; 10 records per batch),
 * with the process's RssAnon (anonymous memory: LMDB's memory-mapped file pages are not in it) after each phase.
 * The same figures against dynalite are bench/mac-index.bench.ts and bench/health.bench.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHealthHandler } from '../functions/health/handler.js';
import { createMacIndexHandler } from '../functions/mac-index/handler.js';
import type { MskHandler } from '../functions/shared/msk.js';
import { LmdbStore } from '../infra/local/lmdb-table-store.js';
import { RibView } from '../schemas/events.js';
import { healthTable, indexTable } from '../schemas/tables/index.js';
import { macRoute, packedMskBatch, type Timed } from '../test/support/route-events.js';

const MACS = Number(process.env.BENCH_MACS ?? 20_000);
const PER_RECORD = 500;
const RECORDS_PER_BATCH = 10;
const T0 = Date.parse('2026-11-24T00:00:00Z');

const rssAnonMb = () => {
  const m = /RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
};
const mac = (i: number) =>
  `02:be:${((i >> 24) & 0xff).toString(16).padStart(2, '0')}:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

function dump(from: number, n: number, copies: 1 | 6, atMs: number): Timed[] {
  const out: Timed[] = [];
  const routers = copies === 6 ? ['10.255.0.1', '10.255.0.2'] : ['10.255.0.1'];
  const views = copies === 6 ? [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB] : [RibView.RIB_VIEW_LOC_RIB];
  // As the collector sends a dump: each router's views in turn, MAC after MAC (a MAC's copies spread over the dump).
  for (const router of routers)
    for (const view of views)
      for (let i = from; i < from + n; i++)
        out.push({
          ev: macRoute({
            mac: mac(i),
            vtep: `10.0.0.${1 + (i % 40)}`,
            fabric: i % 2 ? 'dc2' : 'dc1',
            router,
            view,
            ip: `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`,
          }),
          atMs,
          partition: i % 12,
        });
  return out;
}

/** CPU seconds of this process in the last run (on a shared machine the wall clock also counts other processes' turns). */
let cpuSecs = 0;
async function run(handler: MskHandler, events: Timed[]): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const batch = PER_RECORD * RECORDS_PER_BATCH;
  for (let i = 0; i < events.length; i += batch) {
    const res = await handler(packedMskBatch(events.slice(i, i + batch), PER_RECORD));
    if (res?.batchItemFailures.length) throw new Error(`batch failed: ${JSON.stringify(res.batchItemFailures)}`);
  }
  const c = process.cpuUsage(c0);
  cpuSecs = (c.user + c.system) / 1e6;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const dir = mkdtempSync(join(tmpdir(), 'evpn-lens-bench-'));
const env = new LmdbStore({ path: dir });
const tables = { index: env.table('bench-index', indexTable), health: env.table('bench-health', healthTable) };
const macIndex = createMacIndexHandler({ table: tables.index });
const health = createHealthHandler({ tables, fabrics: [{ name: 'dc1', expectedVteps: [] }], now: () => T0 + 120_000 });

let commits = { ...env.commits };
const line = (fn: string, what: string, n: number, secs: number, writes?: number) => {
  const [tx, staged] = [env.commits.transactions - commits.transactions, env.commits.writes - commits.writes];
  commits = { ...env.commits };
  console.log(
    `${fn}, ${what}: ${n.toLocaleString('en-US')} route events in ${secs.toFixed(1)} s = ${Math.round(n / secs).toLocaleString('en-US')} events/s (${Math.round(n / cpuSecs).toLocaleString('en-US')} per CPU-second)${writes === undefined ? '' : `; ${(writes / n).toFixed(2)} item writes per event`}; ${tx.toLocaleString('en-US')} commits (${(staged / Math.max(tx, 1)).toFixed(1)} writes each); RssAnon ${rssAnonMb()} MB`,
  );
};

console.log(`embedded store (lmdb) in ${dir}; RssAnon at start ${rssAnonMb()} MB; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
const d6 = dump(0, MACS, 6, T0);
let w = macIndex.store.writes;
line('mac-index', `6-copy dump of ${MACS.toLocaleString('en-US')} MACs`, d6.length, await run(macIndex, d6), macIndex.store.writes - w);
const fresh = dump(MACS, MACS * 3, 1, T0 + 60_000);
w = macIndex.store.writes;
line('mac-index', `new MACs, one event each`, fresh.length, await run(macIndex, fresh), macIndex.store.writes - w);
w = health.store.writes;
line('health', `6-copy dump of ${MACS.toLocaleString('en-US')} MACs`, d6.length, await run(health, d6), health.store.writes - w);
w = health.store.writes;
line('health', 'new MACs, one event each', fresh.length, await run(health, fresh), health.store.writes - w);
console.log(`store: ${tables.index.itemCount().toLocaleString('en-US')} index items, ${tables.health.itemCount().toLocaleString('en-US')} health items`);
await env.close();
rmSync(dir, { recursive: true, force: true });
