/**
 * Host lookups against the local stack's API (fastify + the API Gateway-shaped handler + dynalite) with N MACs
 * indexed (BENCH_API_MACS, default 1,000,000): lookups per second and latency percentiles, from 32 concurrent clients
 * over loopback for BENCH_API_SECONDS (default 20).
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createApiHandler } from '../functions/api/handler.js';
import { startHttpServer } from '../infra/local/http-server.js';
import { ZERO_ESI } from '../schemas/ethernet-segment.js';
import { keys, type MacItem } from '../schemas/tables/index.js';
import { startTestStore } from '../test/support/dynalite.js';

const N = Number(process.env.BENCH_API_MACS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 20);
const CONCURRENCY = 32;
const mac = (i: number) =>
  `02:ab:${((i >> 24) & 0xff).toString(16).padStart(2, '0')}:${((i >> 16) & 0xff).toString(16).padStart(2, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

const store = await startTestStore();
const now = new Date().toISOString();
function item(i: number): MacItem {
  const m = mac(i);
  const vni = 10000 + (i % 200);
  const vtep = `10.${(i >> 16) & 0xff}.0.${i % 250}`;
  return {
    ...keys.mac(m, { vni }),
    mac: m,
    vni,
    ...keys.segmentGsi({ vni }, m),
    ...keys.vtepGsi(vtep, m, { vni }),
    paths: {
      [`rr|0.0.0.0|||0|2:x:0:${m}:`]: {
        vtep,
        esi: ZERO_ESI,
        seq: 0,
        sticky: false,
        fabric: 'dc1',
        routers: ['rr'],
        ips: [],
        atUs: '0',
        ord: '0',
      },
    },
    location: {
      fabric: 'dc1',
      vni,
      vtep,
      vteps: [vtep],
      esi: ZERO_ESI,
      routers: ['rr'],
      ips: [],
      sequence: 0,
      sticky: false,
      since: now,
      lastSeen: now,
    },
    recentMoves: [],
    moveCount: 0,
    firstSeen: now,
    version: 1,
    activeAlerts: {},
    updatedMs: 0,
  };
}

// Load: BatchWriteItem, 25 items per call, 8 calls in flight.
const t0 = Date.now();
let next = 0;
let lastReport = t0;
async function loader() {
  for (;;) {
    const start = next;
    if (start >= N) return;
    next += 25;
    let req: Record<string, { PutRequest: { Item: MacItem } }[]> | undefined = {
      [store.indexTable]: Array.from({ length: Math.min(25, N - start) }, (_, j) => ({ PutRequest: { Item: item(start + j) } })),
    };
    while (req && Object.keys(req).length) {
      const res = await store.doc.send(new BatchWriteCommand({ RequestItems: req }));
      req = res.UnprocessedItems as typeof req;
    }
    if (Date.now() - lastReport > 20_000) {
      lastReport = Date.now();
      console.log(`  loaded ${Math.min(next, N).toLocaleString()} MACs (${Math.round(next / ((Date.now() - t0) / 1000)).toLocaleString()}/s)`);
    }
  }
}
await Promise.all(Array.from({ length: 8 }, loader));
const loadSecs = (Date.now() - t0) / 1000;
console.log(`indexed ${N.toLocaleString()} MACs in dynalite in ${loadSecs.toFixed(0)} s (${Math.round(N / loadSecs).toLocaleString()} items/s)`);

const api = createApiHandler({ ddb: store.doc, tableName: store.indexTable });
const http = await startHttpServer({ host: '127.0.0.1', port: 0, api });
const latencies: number[] = [];
let errors = 0;
const deadline = Date.now() + SECONDS * 1000;
let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
async function client() {
  while (Date.now() < deadline) {
    const m = mac(Math.floor(rnd() * N));
    const s = process.hrtime.bigint();
    const res = await fetch(`${http.url}/v1/hosts/${m}`);
    await res.arrayBuffer();
    latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
    if (res.status !== 200) errors++;
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, client));
const secs = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(
  `lookups: ${latencies.length.toLocaleString()} GET /v1/hosts/{mac} in ${secs.toFixed(1)} s = ${Math.round(latencies.length / secs).toLocaleString()}/s with ${CONCURRENCY} clients; latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms; ${errors} errors`,
);
await http.close();
await store.stop();
