/**
 * Drill 7, scale: MACs spread over 10 fabrics, each exported by 2 route reflectors in 3 RIB views (pre-policy,
 * post-policy, Loc-RIB), from synthetic BMP sessions (router CLIs are too slow to load this). Reports the time to index
 * everything, DynamoDB writes per route event, the stack's RSS (collector included: one process locally), and the API's
 * p99 with 32 concurrent clients. Only in `npm run drills`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ipOf, macOf, routerEndOfRib, routerOpening, routerRoutes, type SyntheticRouter } from '../../../bench/generate-stream.js';
import { ZERO_ESI } from '../../../schemas/ethernet-segment.js';
import { apiLoad, percentile } from '../support/api-load.js';
import { closeBmp, openBmp, write } from '../support/bmp-feed.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { drained, drillRouterId, startDrillStack } from '../support/drill-stack.js';
import { classify, describeDifferences, diffSnapshots, type IndexSnapshot, snapshotIndex } from '../support/index-snapshot.js';
import { newResult } from '../support/route-flow.js';
import { progress, waitUntil } from '../support/wait.js';

export interface ScaleOptions {
  macs: number;
  fabrics: number;
  apiClients: number;
  apiSeconds: number;
}

const vtepOf = (f: number) => (i: number) => `10.8${f - 1}.${(i >> 8) & 0x3f}.${(i % 200) + 1}`;
const vniOf = (f: number) => (i: number) => 20000 + f * 10 + (i % 10);

export async function scaleDrill(o: ScaleOptions, faults?: DrillFaults): Promise<DrillResult> {
  const t0 = Date.now();
  const views = ['pre', 'post', 'loc'] as const;
  const r = newResult(7, 'scale', `${o.macs.toLocaleString('en-US')} MACs, ${o.fabrics} fabrics × 2 RRs × 3 RIB views`);
  // The route topic holds the whole dump until the functions have read it: ~390 bytes per route event (packed records),
  // 2.3 GB at 1,000,000 MACs, past the default cap's route share (60 % of 2 GB). Kafka deletes past the cap whether read
  // or not, so the drill gives the broker room for its backlog, as a site this size must (README: kafka.localRetention).
  const localRetentionBytes = Math.max(2 ** 31, o.macs * 8_000);
  const ds = await startDrillStack({ faults, name: 'scale', resyncQuietSeconds: 10, localRetentionBytes });
  // The event loop's longest stall: the consumers' heartbeats share it (a stall past the session timeout costs a member).
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const per = Math.floor(o.macs / o.fabrics);
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 1000);
  try {
    const expected = per * o.fabrics * 2 * views.length;
    const started = Date.now();
    // Sessions are fed one fabric at a time (both RRs together), their streams generated just before: the generator's
    // buffers for every fabric at once would crowd the process that also runs the stack.
    const sockets: import('node:net').Socket[] = [];
    for (let f = 1; f <= o.fabrics; f++) {
      const from = (f - 1) * per;
      const to = from + per;
      const feeds = [1, 2].map(async (rrNo) => {
        const rr: SyntheticRouter = { bgpId: drillRouterId(f, rrNo), peer: `10.70.${f}.100`, views: [...views] };
        const sock = await openBmp(ds.bmpPort);
        sockets.push(sock);
        await write(sock, routerOpening(rr));
        for (let a = from; a < to; a += 20_000) {
          const b = Math.min(to, a + 20_000);
          await write(sock, routerRoutes(rr, { from: a, to: b, vtepOf: vtepOf(f), vniOf: vniOf(f) }).stream);
        }
        await write(sock, routerEndOfRib(rr));
      });
      await Promise.all(feeds);
      progress('scale', `fabric ${f} fed (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    const fedMs = Date.now() - started;
    await waitUntil(async () => (await routeEvents(ds)) >= expected, 'the collector to read every route', 7_200_000, 1000);
    await waitUntil(() => ds.stack.collector.publisher.bufferedBytes === 0, 'the collector to publish everything', 7_200_000, 500);
    await drained(ds.stack, 7_200_000);
    const indexedMs = Date.now() - started;
    progress('scale', `indexed in ${Math.round(indexedMs / 1000)} s; API load`);
    const store = ds.stack.fns.macIndex().store;
    const writes = store.writes;
    r.eventsIn = await routeEvents(ds);
    r.eventsOut = ds.delivery.delivered;
    r.duplicates = ds.delivery.delivered - ds.delivery.distinct.size;
    r.figures.timeToIndex = `${(indexedMs / 1000).toFixed(0)} s (sessions fed in ${(fedMs / 1000).toFixed(0)} s) = ${Math.round(r.eventsIn / (indexedMs / 1000)).toLocaleString('en-US')} events/s`;
    // Every function that consumes the route events writes: the health function's writes count too.
    const healthWrites = ds.stack.fns.health().store.writes;
    r.figures.writesPerEvent = `${((writes + healthWrites) / r.eventsIn).toFixed(3)} every function (mac-index ${(writes / r.eventsIn).toFixed(3)}: ${writes.toLocaleString('en-US')} writes, of which ${store.routerSegmentWrites} router segment/epoch items; health ${(healthWrites / r.eventsIn).toFixed(3)})`;
    r.figures.eventLoopDelay = `max ${(loopDelay.max / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms while feeding and indexing`;
    r.figures.peakRss = `${(peakRss / 1048576).toFixed(0)} MB (stack process: collector, runner, handlers, API, embedded store)`;
    r.figures.collectorRoutesHeld = ds.stack.collector.state.routeCount().toLocaleString('en-US');
    // Every MAC sent, read through the API (every VNI, every page): in its fabric, at its VTEP, with its IP.
    const expectedIndex: IndexSnapshot = new Map();
    for (let f = 1; f <= o.fabrics; f++)
      for (let i = (f - 1) * per; i < f * per; i++) {
        const vtep = vtepOf(f)(i);
        expectedIndex.set(`${macOf(i)}|VNI#${vniOf(f)(i)}`, { fabric: `dc${f}`, vtep, vteps: [vtep], esi: ZERO_ESI, ips: [ipOf(i)], competing: [] });
      }
    const vnis = Array.from({ length: o.fabrics * 10 }, (_, k) => 20010 + k);
    const diffs = diffSnapshots(expectedIndex, await snapshotIndex(ds.stack.apiUrl, vnis));
    r.indexDiffs = diffs.length;
    r.figures.lost = `${classify(diffs).lost.length} of ${expectedIndex.size.toLocaleString('en-US')} MACs expected (every MAC compared with what was sent)`;
    const load = await apiLoad(ds.stack.apiUrl, {
      clients: o.apiClients,
      durationMs: o.apiSeconds * 1000,
      path: () => `/v1/hosts/${macOf(Math.floor(Math.random() * per * o.fabrics))}`,
    });
    r.figures.api = `${o.apiClients} clients, ${load.requests.toLocaleString('en-US')} requests in ${o.apiSeconds} s: p50 ${percentile(load.latencies, 50).toFixed(1)} ms, p99 ${percentile(load.latencies, 99).toFixed(1)} ms, ${load.errors} errors`;
    check(r, r.eventsIn === expected, `the collector read every route (${r.eventsIn} of ${expected})`);
    check(r, ds.delivery.distinct.size >= expected, `every route event reached the index (${ds.delivery.distinct.size} of ${expected})`);
    check(r, r.indexDiffs === 0, `every MAC in its fabric at its VTEP (${describeDifferences(diffs)})`);
    check(r, load.errors === 0, `the API answered every request (${load.errors} errors)`);
    for (const s of sockets) await closeBmp(s);
  } finally {
    clearInterval(rssTimer);
    loopDelay.disable();
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}

async function routeEvents(ds: Awaited<ReturnType<typeof startDrillStack>>): Promise<number> {
  const m = await ds.stack.collector.registry.getSingleMetric('evpnlens_evpn_routes_total')?.get();
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}
