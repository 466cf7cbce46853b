/**
 * The route flow of drills 1, 2 and 5: two synthetic routers (fabrics dc1 and dc2) dump `routes` MACs between them over
 * BMP into a drill stack; a fault is injected partway; then the drill checks that every route event the collector
 * published reached the MAC index (duplicates counted) and that the index equals the undisturbed run's.
 */
import type { Socket } from 'node:net';
import { routerEndOfRib, routerOpening, routerRoutes, type SyntheticRouter } from '../../../bench/generate-stream.js';
import { closeBmp, openBmp, write } from './bmp-feed.js';
import { check, type DrillResult } from './drill-result.js';
import { DRILL_FABRICS, type DrillStack, drained, drillRouterId } from './drill-stack.js';
import { describeDifferences, diffSnapshots, snapshotIndex } from './index-snapshot.js';
import { referenceSnapshot } from './reference-run.js';
import { routeEventsOnTopic } from './topic-count.js';
import { progress, waitUntil } from './wait.js';

export interface RouterStream {
  router: SyntheticRouter;
  open: Buffer;
  routes: Buffer;
  eor: Buffer;
}

export function twoRouterStreams(routes: number): RouterStream[] {
  const half = Math.floor(routes / 2);
  const spec: [SyntheticRouter, number, number, number][] = [
    [{ bgpId: drillRouterId(1, 1), views: ['post'] }, 0, half, 1],
    [{ bgpId: drillRouterId(2, 1), views: ['post'] }, half, routes, 2],
  ];
  return spec.map(([router, from, to, dc]) => ({
    router,
    open: routerOpening(router),
    routes: routerRoutes(router, { from, to, vtepOf: (i) => `10.7${dc}.${(i >> 8) & 0x3f}.${(i % 100) + 1}` }).stream,
    eor: routerEndOfRib(router),
  }));
}

/** Sends the first `before` share of every stream, runs `fault`, sends the rest; returns the sockets (left open). */
export async function flowWithFault(ds: DrillStack, streams: RouterStream[], before: number, fault: () => Promise<void>): Promise<Socket[]> {
  const sockets = await Promise.all(streams.map(() => openBmp(ds.bmpPort)));
  const cut = (b: Buffer) => Math.floor(b.length * before);
  await Promise.all(streams.map((s, i) => write(sockets[i]!, Buffer.concat([s.open, s.routes.subarray(0, cut(s.routes))]))));
  await fault();
  await Promise.all(streams.map((s, i) => write(sockets[i]!, Buffer.concat([s.routes.subarray(cut(s.routes)), s.eor]))));
  return sockets;
}

/** Waits until everything published was processed; fills events in/out, duplicates, index differences; returns when drained. */
export async function settleAndCompare(ds: DrillStack, r: DrillResult, streams: RouterStream[], expectedEvents: number, sockets: Socket[]): Promise<number> {
  progress(r.name, 'routes sent; waiting for the collector and the index');
  await waitUntil(async () => (await collectorRouteEvents(ds)) >= expectedEvents, 'the collector to read every route', 600_000, 200);
  await waitUntil(() => ds.stack.collector.publisher.bufferedBytes === 0, 'the collector to publish everything', 600_000, 100);
  await ds.stack.collector.publisher.flush();
  const onTopic = await routeEventsOnTopic(ds.stack.kafkaBrokers);
  await drained(ds.stack, 1_800_000);
  const drainedAt = Date.now();
  const c = ds.delivery;
  r.eventsIn = onTopic.distinct.size;
  r.eventsOut = c.delivered;
  r.duplicates = c.delivered - c.distinct.size;
  const lost = [...onTopic.distinct].filter((id) => !c.distinct.has(id)).length;
  r.figures.lost = String(lost);
  check(r, r.eventsIn === expectedEvents, `the collector published every route (${r.eventsIn} of ${expectedEvents})`);
  check(r, lost === 0, `every published event reached the index (${lost} lost)`);
  for (const s of sockets) await closeBmp(s);
  progress(r.name, `drained (${c.delivered} delivered); reference run`);
  const reference = await referenceSnapshot({
    endpoint: ds.stack.dynamodbEndpoint,
    sessions: streams.map((s) => Buffer.concat([s.open, s.routes, s.eor])),
    fabrics: DRILL_FABRICS,
    expectedEvents,
  });
  const diffs = diffSnapshots(reference, await snapshotIndex(ds.doc, ds.indexTable));
  r.indexDiffs = diffs.length;
  r.figures.macs = reference.size.toLocaleString('en-US');
  check(r, diffs.length === 0 && reference.size === expectedEvents, `index identical to the undisturbed run (${describeDifferences(diffs)})`);
  return drainedAt;
}

/** Route events the stack's collector emitted (its evpnlens_evpn_routes_total, all types and actions). */
export async function collectorRouteEvents(ds: DrillStack): Promise<number> {
  const m = await ds.stack.collector.registry.getSingleMetric('evpnlens_evpn_routes_total')?.get();
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}

export function newResult(id: number, name: string, what: string): DrillResult {
  return { id, name, what, eventsIn: 0, eventsOut: 0, duplicates: 0, indexDiffs: 0, recoverMs: undefined, figures: {}, failures: [], durationMs: 0 };
}
