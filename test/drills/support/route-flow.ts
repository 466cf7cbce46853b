/**
 * The route flow of drills 1, 2 and 5: two synthetic routers (fabrics dc1 and dc2) dump `routes` MACs between them over
 * BMP into a drill stack, then withdraw every tenth; a fault is injected partway. Then the drill reads the whole index
 * through the API and compares every MAC with what it sent (the advertised MACs less the withdrawn ones, each at the
 * VTEP, fabric and IP of its route): "lost" are sent MACs whose effect is not in the store; duplicates are every
 * delivery to the MAC index beyond the first of each event (retries of batches that threw included).
 */
import type { Socket } from 'node:net';
import { ipOf, macOf, routerEndOfRib, routerOpening, routerRoutes, type SyntheticRouter } from '../../../bench/generate-stream.js';
import { ZERO_ESI } from '../../../schemas/ethernet-segment.js';
import { closeBmp, openBmp, write } from './bmp-feed.js';
import { check, type DrillResult } from './drill-result.js';
import { type DrillStack, drained, drillRouterId } from './drill-stack.js';
import { classify, describeDifferences, diffSnapshots, type IndexSnapshot, snapshotIndex } from './index-snapshot.js';
import { routeEventsOnTopic } from './topic-count.js';
import { progress, waitUntil } from './wait.js';

export const FLOW_VNI = 10100;
/** MAC numbers i with i % WITHDRAW_EVERY === WITHDRAW_AT are withdrawn after the dump. */
const WITHDRAW_EVERY = 10;
const WITHDRAW_AT = 3;

export interface RouterStream {
  router: SyntheticRouter;
  open: Buffer;
  routes: Buffer;
  /** Withdrawals of every tenth MAC of `routes`, sent after them. */
  withdrawals: Buffer;
  eor: Buffer;
  /** What this router leaves indexed: `mac|VNI#vni` → state. */
  expected: IndexSnapshot;
  /** The MACs it advertised and then withdrew: each must have been indexed, then withdrawn (its history says so). */
  withdrawn: string[];
  /** Route events its stream makes the collector publish (advertisements and withdrawals). */
  events: number;
}

export function twoRouterStreams(routes: number): RouterStream[] {
  const half = Math.floor(routes / 2);
  const spec: [SyntheticRouter, number, number, number][] = [
    [{ bgpId: drillRouterId(1, 1), views: ['post'] }, 0, half, 1],
    [{ bgpId: drillRouterId(2, 1), views: ['post'] }, half, routes, 2],
  ];
  return spec.map(([router, from, to, dc]) => {
    const vtepOf = (i: number) => `10.7${dc}.${(i >> 8) & 0x3f}.${(i % 100) + 1}`;
    const adv = routerRoutes(router, { from, to, vtepOf });
    const expected: IndexSnapshot = new Map();
    const wd: Buffer[] = [];
    const withdrawn: string[] = [];
    for (let i = from; i < to; i++) {
      if (i % WITHDRAW_EVERY === WITHDRAW_AT) {
        wd.push(routerRoutes(router, { from: i, to: i + 1, vtepOf, withdraw: true }).stream);
        withdrawn.push(macOf(i));
        continue;
      }
      const vtep = vtepOf(i);
      expected.set(`${macOf(i)}|VNI#${FLOW_VNI}`, { fabric: `dc${dc}`, vtep, vteps: [vtep], esi: ZERO_ESI, ips: [ipOf(i)], competing: [] });
    }
    return {
      router,
      open: routerOpening(router),
      routes: adv.stream,
      withdrawals: Buffer.concat(wd),
      eor: routerEndOfRib(router),
      expected,
      withdrawn,
      events: adv.events + withdrawn.length,
    };
  });
}

/** Sends the first `before` share of every stream, runs `fault`, sends the rest; returns the sockets (left open). */
export async function flowWithFault(ds: DrillStack, streams: RouterStream[], before: number, fault: () => Promise<void>): Promise<Socket[]> {
  const sockets = await Promise.all(streams.map(() => openBmp(ds.bmpPort)));
  const cut = (b: Buffer) => Math.floor(b.length * before);
  await Promise.all(streams.map((s, i) => write(sockets[i]!, Buffer.concat([s.open, s.routes.subarray(0, cut(s.routes))]))));
  await fault();
  await Promise.all(streams.map((s, i) => write(sockets[i]!, Buffer.concat([s.routes.subarray(cut(s.routes)), s.withdrawals, s.eor]))));
  return sockets;
}

/**
 * Waits until everything published was processed; fills events in/out, duplicates, lost and index differences against
 * what the streams sent; returns when drained.
 */
export async function settleAndCompare(ds: DrillStack, r: DrillResult, streams: RouterStream[], sockets: Socket[]): Promise<number> {
  const expectedEvents = streams.reduce((n, s) => n + s.events, 0);
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
  const undelivered = [...onTopic.distinct].filter((id) => !c.distinct.has(id)).length;
  check(r, r.eventsIn === expectedEvents, `the collector published every route event sent (${r.eventsIn} of ${expectedEvents})`);
  check(r, undelivered === 0, `every published event was delivered to the MAC index (${undelivered} never delivered)`);
  for (const s of sockets) await closeBmp(s);
  progress(r.name, `drained (${c.delivered} delivered); reading the index through the API`);
  const expected: IndexSnapshot = new Map(streams.flatMap((s) => [...s.expected]));
  const actual = await snapshotIndex(ds.stack.apiUrl, [FLOW_VNI]);
  const diffs = diffSnapshots(expected, actual);
  const kinds = classify(diffs);
  // A withdrawn MAC leaves no location: its advertisement's effect is its history (a disappearance), read through the API.
  const withdrawn = streams.flatMap((s) => s.withdrawn);
  // (One still located is a ghost, counted above: its withdrawal was lost, not its advertisement.)
  const neverIndexed = (await withoutDisappearance(ds.stack.apiUrl, withdrawn)).filter((k) => !actual.has(k));
  r.indexDiffs = diffs.length + neverIndexed.length;
  r.figures.lost = `${kinds.lost.length + neverIndexed.length} of ${(expected.size + withdrawn.length).toLocaleString('en-US')} MACs sent (every MAC compared with what was sent; ${withdrawn.length} of them withdrawn)`;
  r.figures.ghosts = String(kinds.ghosts.length);
  check(r, diffs.length === 0, `index equals what was sent (${describeDifferences(diffs)})`);
  check(
    r,
    neverIndexed.length === 0,
    `every withdrawn MAC was indexed before its withdrawal (${neverIndexed.length} lost: no disappearance in their history: ${neverIndexed.slice(0, 5).join(', ')})`,
  );
  return drainedAt;
}
/** Of `macs`, those whose /v1/hosts answer has no disappearance in its history (`mac|VNI#vni`), 16 requests at a time. */
async function withoutDisappearance(apiUrl: string, macs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (let k = 0; k < macs.length; k += 16)
    await Promise.all(
      macs.slice(k, k + 16).map(async (mac) => {
        const res = await fetch(`${apiUrl}/v1/hosts/${mac}`);
        const body = res.status === 200 ? ((await res.json()) as { history?: { kind: string; vni: number }[] }) : undefined;
        if (!body?.history?.some((h) => h.kind === 'disappear' && h.vni === FLOW_VNI)) out.push(`${mac}|VNI#${FLOW_VNI}`);
      }),
    );
  return out.sort();
}

/** Route events the stack's collector emitted (its evpnlens_evpn_routes_total, all types and actions). */
export async function collectorRouteEvents(ds: DrillStack): Promise<number> {
  const m = await ds.stack.collector.registry.getSingleMetric('evpnlens_evpn_routes_total')?.get();
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}

export function newResult(id: number, name: string, what: string): DrillResult {
  return { id, name, what, eventsIn: 0, eventsOut: 0, duplicates: 0, indexDiffs: 0, recoverMs: undefined, figures: {}, failures: [], durationMs: 0 };
}
