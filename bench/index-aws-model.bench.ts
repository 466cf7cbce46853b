/**
 * The MAC index on the DynamoDB path as AWS runs it, from one run:
 *  1. Round trips. The DynamoDB adapter against dynalite in a child process behind a proxy that adds LATENCY_MS (5 ms)
 *     to every request (dynalite-latency-proxy.ts), new MACs (one event each) in MSK batches of packed records,
 *     serial (pool concurrency 1) against concurrent (the configured pool): requests per event, the pool's mean
 *     occupancy and the mean number of requests in flight, the measured speed-up, and this process's CPU per request
 *     (the handler and the SDK client; dynalite and the proxy run in the child, so none of theirs).
 *  2. The model per invocation on AWS, from those inputs: a latency bound (requests in flight / (requests per event ×
 *     5 ms)) and a CPU bound (one Node thread uses at most one vCPU; Lambda gives 1 vCPU per 1,769 MB), the rate the
 *     smaller of the two, and the Lambda memory whose vCPU share carries the client CPU at that rate.
 *  3. Write units per route event (write-units.ts: item sizes, the item replaced, index copies), every function that
 *     consumes evpn.routes.v1 (MAC index and health), for a 6-copy dump (2 route reflectors × 3 RIB views) and for
 *     moves, with the indexes as defined (KEYS_ONLY) and as they were (ALL), against dynalite directly.
 * Sizes: BENCH_SERIAL_MACS (default 400), BENCH_MACS (default 20,000), BENCH_WU_MACS (default 1,000).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MSKEvent } from 'aws-lambda';
import { createHealthHandler } from '../functions/health/handler.js';
import { createMacIndexHandler } from '../functions/mac-index/handler.js';
import { DEFAULT_OPTIONS } from '../functions/mac-index/options.js';
import { createDdbClient } from '../infra/local/ddb-client.js';
import { type IRouteEvent, RibView, RouteEventBatch } from '../schemas/events.js';
import { HEALTH_TABLE_ID, healthTable, indexTable, tableName } from '../schemas/tables/index.js';
import { TOPICS } from '../schemas/topics.js';
import { startTestStore } from '../test/support/dynalite.js';
import { macRoute } from '../test/support/route-events.js';
import { countWriteUnits } from './write-units.js';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 5);
const SERIAL_MACS = Number(process.env.BENCH_SERIAL_MACS ?? 400);
const MACS = Number(process.env.BENCH_MACS ?? 20_000);
const WU_MACS = Number(process.env.BENCH_WU_MACS ?? 1_000);
const PER_RECORD = 500;
const RECORDS_PER_BATCH = 10;
const PARTITIONS = 12;
const AWS_RTT_MS = 5;
const MB_PER_VCPU = 1769;
const T0 = Date.parse('2026-11-24T00:00:00Z');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'dynalite-latency-proxy.ts')], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, LATENCY_MS: String(LATENCY_MS) },
});
const first = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`dynalite child exited (${code})`)));
});
const { endpoint, direct } = JSON.parse(first) as { endpoint: string; direct: string };

const mac = (i: number) =>
  `02:be:${((i >> 24) & 0xff).toString(16).padStart(2, '0')}:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
const ipOf = (i: number) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;

/** MSK batches of packed records (PER_RECORD events each, RECORDS_PER_BATCH per batch), offsets growing per partition. */
const offsets = new Map<number, number>();
function batches(events: { ev: IRouteEvent; partition: number }[], atMs: number): MSKEvent[] {
  const out: MSKEvent[] = [];
  const perBatch = PER_RECORD * RECORDS_PER_BATCH;
  for (let i = 0; i < events.length; i += perBatch) {
    const byPartition = new Map<number, IRouteEvent[]>();
    for (const e of events.slice(i, i + perBatch)) {
      if (!byPartition.has(e.partition)) byPartition.set(e.partition, []);
      byPartition.get(e.partition)!.push(e.ev);
    }
    const records: Record<string, unknown[]> = {};
    for (const [p, evs] of byPartition)
      for (let j = 0; j < evs.length; j += PER_RECORD) {
        const offset = offsets.get(p) ?? 0;
        offsets.set(p, offset + 1);
        (records[`${TOPICS.routes}-${p}`] ??= []).push({
          topic: TOPICS.routes,
          partition: p,
          offset,
          timestamp: atMs,
          timestampType: 'CREATE_TIME',
          key: null,
          value: Buffer.from(RouteEventBatch.encode({ events: evs.slice(j, j + PER_RECORD) }).finish()).toString('base64'),
          headers: [],
        });
      }
    out.push({ eventSource: 'aws:kafka', eventSourceArn: 'arn:bench', bootstrapServers: 'bench', records } as unknown as MSKEvent);
  }
  return out;
}

const newMacs = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { ev: macRoute({ mac: mac(i), vtep: `10.0.0.${1 + (i % 40)}`, fabric: i % 2 ? 'dc2' : 'dc1', ip: ipOf(i) }), partition: i % PARTITIONS };
  });

// ---- 1. round trips through the 5 ms proxy ----
const store = await startTestStore(endpoint);
/** Requests sent, and the time-weighted number in flight while any was (every command, on the client). */
const req = { n: 0, inFlight: 0, busyMs: 0, busyReqMs: 0, since: performance.now() };
const tick = () => {
  const now = performance.now();
  if (req.inFlight > 0) {
    req.busyMs += now - req.since;
    req.busyReqMs += req.inFlight * (now - req.since);
  }
  req.since = now;
};
store.client.middlewareStack.add(
  (next) => async (args) => {
    req.n++;
    tick();
    req.inFlight++;
    try {
      return await next(args);
    } finally {
      tick();
      req.inFlight--;
    }
  },
  { step: 'finalizeRequest', name: 'benchRequestCounter' },
);

interface Run {
  events: number;
  secs: number;
  cpuSecs: number;
  requests: number;
  poolOccupancy: number;
  reqOccupancy: number;
}
async function measure(concurrency: number, from: number, n: number): Promise<Run> {
  const handler = createMacIndexHandler({ ddb: store.doc, tableName: store.indexTable, options: { concurrency } });
  const input = batches(newMacs(from, n), T0);
  // Warm-up: the first batch of a fresh handler writes the router-segment and epoch items (once per warm instance).
  await handler(batches(newMacs(from + n, PARTITIONS), T0)[0]!);
  Object.assign(req, { n: 0, busyMs: 0, busyReqMs: 0 });
  Object.assign(handler.pool, { items: 0, busyItemMs: 0, busyMs: 0 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of input) {
    const res = await handler(b);
    if (res?.batchItemFailures.length) throw new Error(`batch failed: ${JSON.stringify(res.batchItemFailures)}`);
  }
  const secs = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return {
    events: n,
    secs,
    cpuSecs: (c.user + c.system) / 1e6,
    requests: req.n,
    poolOccupancy: handler.pool.busyItemMs / Math.max(1, handler.pool.busyMs),
    reqOccupancy: req.busyReqMs / Math.max(1, req.busyMs),
  };
}

const load0 = loadavg()[0]!;
const serial = await measure(1, 0, SERIAL_MACS);
const concurrency = DEFAULT_OPTIONS.concurrency;
const conc = await measure(concurrency, 1_000_000, MACS);
const load1 = loadavg()[0]!;
const line = (what: string, r: Run) =>
  console.log(
    `${what}: ${fmt(r.events)} new-MAC events in ${r.secs.toFixed(1)} s = ${fmt(r.events / r.secs)} events/s; ${(r.requests / r.events).toFixed(3)} requests per event; pool occupancy ${r.poolOccupancy.toFixed(1)}, requests in flight ${r.reqOccupancy.toFixed(1)}; client CPU ${((r.cpuSecs / r.requests) * 1000).toFixed(3)} ms per request (${fmt(r.events / r.cpuSecs)} events per CPU-second)`,
  );
console.log(
  `through a proxy adding ${LATENCY_MS} ms per request, dynalite in a child process; load average ${load0.toFixed(2)} → ${load1.toFixed(2)} (2 shared cores)`,
);
line('serial (concurrency 1)', serial);
line(`concurrent (pool of ${concurrency})`, conc);
console.log(`measured speed-up, concurrent over serial: ${(conc.events / conc.secs / (serial.events / serial.secs)).toFixed(1)}×`);

// ---- 2. the model per invocation on AWS ----
const reqPerEvent = conc.requests / conc.events;
const cpuPerEvent = conc.cpuSecs / conc.events;
const latencyBound = conc.reqOccupancy / (reqPerEvent * (AWS_RTT_MS / 1000));
const cpuBound = 1 / cpuPerEvent;
const modelled = Math.min(latencyBound, cpuBound);
// Memory (infra/catalog/functions.ts, README "Deploying to AWS"): the vCPU share that carries the client CPU at the
// modelled rate with 30% headroom; once that passes 0.7 of a vCPU, one full vCPU (1,769 MB): one Node thread cannot use
// a second one, so more memory buys no rate.
const vcpuNeeded = modelled * cpuPerEvent;
const memoryMb = vcpuNeeded > 0.7 ? MB_PER_VCPU : Math.max(128, Math.ceil(((vcpuNeeded / 0.7) * MB_PER_VCPU) / 64) * 64);
console.log(
  `model per invocation on AWS (${AWS_RTT_MS} ms round trips): latency bound ${fmt(conc.reqOccupancy, 1)} requests in flight / (${reqPerEvent.toFixed(3)} requests per event × ${AWS_RTT_MS} ms) = ${fmt(latencyBound)} events/s; CPU bound (one Node thread, ≤ 1 vCPU) 1 / ${(cpuPerEvent * 1e6).toFixed(0)} µs per event = ${fmt(cpuBound)} events/s; modelled ${fmt(modelled)} new-MAC events/s per invocation (goal 5,000: ${modelled >= 5000 ? 'met' : 'NOT met'}); client CPU at that rate ${vcpuNeeded.toFixed(2)} vCPU → Lambda memory ${fmt(memoryMb)} MB (vCPU = MB / 1,769; 30% headroom, at most the one vCPU a Node thread uses)`,
);
await store.stop();

// ---- 3. write units per route event, before (GSIs ALL) and after (as defined) ----
const wu = await startTestStore(direct);
const reader = createDdbClient({ endpoint: direct });
const units = countWriteUnits(wu.client, reader, {
  [wu.indexTable]: indexTable.globalIndexes,
  [tableName(HEALTH_TABLE_ID, wu.prefix)]: healthTable.globalIndexes,
});
const macIndex = createMacIndexHandler({ ddb: wu.doc, tableName: wu.indexTable });
const health = createHealthHandler({ ddb: wu.doc, tableName: tableName(HEALTH_TABLE_ID, wu.prefix), indexTableName: wu.indexTable });
async function units_(events: { ev: IRouteEvent; partition: number }[], atMs: number) {
  const u0 = { ...units, byTable: { ...units.byTable } };
  for (const b of batches(events, atMs)) {
    for (const h of [macIndex, health]) {
      const res = await h(b);
      if (res?.batchItemFailures.length) throw new Error(`batch failed: ${JSON.stringify(res.batchItemFailures)}`);
    }
  }
  const d = (k: Exclude<keyof typeof units, 'byTable'>) => units[k] - u0[k];
  const t = (name: string) => (units.byTable[name] ?? 0) - (u0.byTable[name] ?? 0);
  return {
    items: d('items'),
    table: d('table'),
    before: d('table') + d('indexBefore'),
    after: d('table') + d('indexAfter'),
    bytes: d('bytes'),
    index: t(wu.indexTable),
    health: t(tableName(HEALTH_TABLE_ID, wu.prefix)),
  };
}
const dumpEvents: { ev: IRouteEvent; partition: number }[] = [];
for (const router of ['10.255.0.1', '10.255.0.2'])
  for (const view of [RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_ADJ_RIB_IN_POST, RibView.RIB_VIEW_LOC_RIB])
    for (let i = 0; i < WU_MACS; i++)
      dumpEvents.push({
        ev: macRoute({ mac: mac(i), vtep: `10.0.0.${1 + (i % 40)}`, fabric: i % 2 ? 'dc2' : 'dc1', router, view, ip: ipOf(i) }),
        partition: i % PARTITIONS,
      });
const dumpU = await units_(dumpEvents, T0);
// Moves: every MAC to another VTEP (sequence + 1, new RD), then the old route withdrawn, via both route reflectors.
const moveEvents: { ev: IRouteEvent; partition: number }[] = [];
for (let i = 0; i < WU_MACS; i++)
  for (const router of ['10.255.0.1', '10.255.0.2']) {
    const fabric = i % 2 ? 'dc2' : 'dc1';
    moveEvents.push({
      ev: macRoute({ mac: mac(i), vtep: `10.0.1.${1 + (i % 40)}`, fabric, router, seq: 1, ip: ipOf(i), rd: `10.0.1.${1 + (i % 40)}:1` }),
      partition: i % PARTITIONS,
    });
    moveEvents.push({ ev: macRoute({ mac: mac(i), vtep: `10.0.0.${1 + (i % 40)}`, fabric, router, withdraw: true, ip: ipOf(i) }), partition: i % PARTITIONS });
  }
const moveU = await units_(moveEvents, T0 + 60_000);
const wuLine = (what: string, n: number, u: Awaited<ReturnType<typeof units_>>, per?: { n: number; what: string }) =>
  console.log(
    `write units, ${what}: ${fmt(n)} route events, ${fmt(u.items)} items written (mean ${fmt(u.bytes / Math.max(1, u.items))} B); after (GSIs KEYS_ONLY) ${(u.after / n).toFixed(3)} WCU per route event, before (GSIs ALL) ${(u.before / n).toFixed(3)} (after: mac-index ${(u.index / n).toFixed(3)} + health ${(u.health / n).toFixed(3)})${per ? `; per ${per.what}: after ${(u.after / per.n).toFixed(2)}, before ${(u.before / per.n).toFixed(2)}` : ''} (every function: mac-index + health)`,
  );
wuLine(`6-copy dump of ${fmt(WU_MACS)} MACs`, dumpEvents.length, dumpU, { n: WU_MACS, what: 'MAC' });
wuLine(`${fmt(WU_MACS)} moves`, moveEvents.length, moveU, { n: WU_MACS, what: 'move' });
reader.destroy();
await wu.stop();
child.stdin!.end();
