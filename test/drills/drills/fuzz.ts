/**
 * Drill 8, fuzz: mutated BMP messages (test/fixtures/bmp/mutate.ts) over many concurrent sessions, reconnecting when the
 * station closes one (a framing error ends only that session), alongside one healthy session that must see every one of
 * its routes published. Zero crashes (no internal errors, the station keeps accepting), memory flat.
 */
import { pino } from 'pino';
import { macOf, routerEndOfRib, routerOpening, routerRoutes } from '../../../bench/generate-stream.js';
import type { EventPublisher } from '../../../collector/index.js';
import { startCollector } from '../../../collector/index.js';
import { TOPICS } from '../../../schemas/topics.js';
import { attrs, bmpMsg, evpn, open, type2Update, update } from '../../fixtures/bmp/builders.js';
import { mutate } from '../../fixtures/bmp/mutate.js';
import { mulberry32 } from '../../support/rng.js';
import { closeBmp, openBmp, write } from '../support/bmp-feed.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { DRILL_FABRICS, drillRouterId } from '../support/drill-stack.js';
import { newResult } from '../support/route-flow.js';
import { progress, sleep, waitUntil } from '../support/wait.js';

const HEALTHY_FROM = 0x00ff_0000;

class CountingPublisher implements EventPublisher {
  events = 0;
  readonly healthy = new Set<string>();
  private offset = 0n;
  bufferedBytes = 0;
  constructor(private readonly healthyMacs: Set<string>) {}
  enqueue(topic: string, key: string, _value: Uint8Array): boolean {
    this.events++;
    if (topic === TOPICS.routes && this.healthyMacs.has(key)) this.healthy.add(key);
    return true;
  }
  async appendAcked(): Promise<bigint> {
    return this.offset++;
  }
  whenDrained = async () => {};
  flush = async () => {};
  close = async () => {};
}

/** Valid messages of every kind the station reads, to be mutated. */
function seeds(bgpId: string): Buffer[] {
  const peer = { address: '10.9.9.9', bgpId: '10.9.9.9', asn: 65000 };
  return [
    bmpMsg.initiation({ sysName: 'fuzz', sysDescr: 'fuzz router' }),
    bmpMsg.peerUp({ peer, sent: open({ asn: 65000, bgpId }), received: open({ asn: 65000, bgpId: '10.9.9.9', addPath: [{ afi: 25, safi: 70, mode: 3 }] }) }),
    bmpMsg.routeMonitoring({
      peer,
      update: type2Update({
        nextHop: '10.0.0.1',
        routes: [0, 1, 2].map((i) => ({ rd: '10.0.0.1:1', mac: macOf(i), ip: `10.1.0.${i}`, label1: 10100 })),
        seq: 3,
      }),
    }),
    bmpMsg.routeMonitoring({
      peer: { ...peer, type: 3, flags: 0 },
      update: update({
        attributes: [
          attrs.origin(0),
          attrs.asPath([65001, 65002]),
          attrs.mpReach('10.0.0.2', [evpn.ad({ rd: '10.0.0.2:1', esi: '00:11:22:33:44:55:66:77:88:99', etag: 0xffffffff, label: 0 })]),
        ],
      }),
    }),
    bmpMsg.routeMonitoring({ peer, update: update({ attributes: [attrs.mpUnreach([evpn.macIp({ rd: '10.0.0.1:1', mac: macOf(1), label1: 0 })])] }) }),
    bmpMsg.peerDown({ peer, reason: 2, data: Buffer.from([0, 2]) }),
    bmpMsg.termination(0, 'bye'),
  ];
}

export async function fuzzDrill(o: { messages: number; sessions: number; healthyRoutes: number; seed: number }, _faults?: DrillFaults): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(8, 'fuzz', `${o.messages.toLocaleString('en-US')} mutated BMP messages over ${o.sessions} sessions + 1 healthy session`);
  const healthyRouter = { bgpId: drillRouterId(8, 1), views: ['post' as const] };
  const healthyMacs = new Set(Array.from({ length: o.healthyRoutes }, (_, i) => macOf(HEALTHY_FROM + i)));
  const pub = new CountingPublisher(healthyMacs);
  const collector = await startCollector({
    listen: { host: '127.0.0.1', port: 0 },
    fabrics: DRILL_FABRICS,
    publisher: pub,
    logger: pino({ level: 'silent' }),
    resyncQuietMs: 1_000,
  });
  const rss: number[] = [];
  const heap: number[] = [];
  const sample = () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    rss.push(m.rss);
    heap.push(m.heapUsed);
  };
  try {
    const next = mulberry32(o.seed);
    const perSession = Math.ceil(o.messages / o.sessions);
    let sent = 0;
    let reconnects = 0;
    // The healthy router: its whole table, sent in slices between the fuzzers' bursts.
    const healthy = await openBmp(collector.address.port, { localAddress: '127.0.7.80' });
    const table = Buffer.concat([
      routerOpening(healthyRouter),
      routerRoutes(healthyRouter, { from: HEALTHY_FROM, to: HEALTHY_FROM + o.healthyRoutes }).stream,
      routerEndOfRib(healthyRouter),
    ]);
    const healthySlices = 20;
    let healthyOff = 0;
    sample();
    const fuzzer = async (k: number) => {
      const src = seeds(`10.80.${k}.1`);
      let sock = await openBmp(collector.address.port, { localAddress: `127.0.7.${81 + (k % 100)}` });
      let closed = false;
      sock.on('close', () => (closed = true));
      for (let i = 0; i < perSession; i += 100) {
        if (closed) {
          reconnects++;
          sock = await openBmp(collector.address.port, { localAddress: `127.0.7.${81 + (k % 100)}` });
          closed = false;
          sock.on('close', () => (closed = true));
        }
        const burst = Buffer.concat(Array.from({ length: Math.min(100, perSession - i) }, (_, j) => mutate(next, src[(i + j) % src.length]!)));
        sent += Math.min(100, perSession - i);
        await write(sock, burst).catch(() => (closed = true));
        if (k === 0 && i % Math.max(100, Math.floor(perSession / healthySlices / 100) * 100) === 0 && healthyOff < table.length) {
          const end = Math.min(table.length, healthyOff + Math.ceil(table.length / healthySlices));
          await write(healthy, table.subarray(healthyOff, end));
          healthyOff = end;
        }
        if (k === 0 && i % Math.max(100, Math.floor(perSession / 10 / 100) * 100) === 0) {
          sample();
          progress('fuzz', `${sent.toLocaleString('en-US')} messages sent, rss ${(rss[rss.length - 1]! / 1048576).toFixed(0)} MB`);
        }
        await sleep(0);
      }
      sock.destroy();
    };
    await Promise.all(Array.from({ length: o.sessions }, (_, k) => fuzzer(k)));
    if (healthyOff < table.length) await write(healthy, table.subarray(healthyOff));
    await waitUntil(() => pub.healthy.size >= o.healthyRoutes, 'the healthy session to publish all its routes', 60_000, 50).catch(() => undefined);
    sample();
    await closeBmp(healthy);
    const internal = Number((await collector.registry.getSingleMetricAsString('evpnlens_bmp_decode_errors_total')).match(/kind="internal"} (\d+)/)?.[1] ?? 0);
    const messagesMetric = await collector.registry.getSingleMetricAsString('evpnlens_bmp_messages_total');
    // Still accepting: a fresh session is served.
    const probe = await openBmp(collector.address.port, { localAddress: '127.0.7.79' });
    await write(probe, bmpMsg.initiation({ sysName: 'probe' }));
    await closeBmp(probe);
    r.eventsIn = sent;
    r.eventsOut = pub.events;
    r.figures.healthyRoutes = `${pub.healthy.size} of ${o.healthyRoutes}`;
    r.figures.reconnects = String(reconnects);
    r.figures.internalErrors = String(internal);
    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
    r.figures.rss = rss.map(mb).join(' → ');
    r.figures.heapAfterGc = heap.map(mb).join(' → ');
    const base = heap[1] ?? heap[0]!;
    const growth = heap[heap.length - 1]! - base;
    check(r, pub.healthy.size === o.healthyRoutes, `the healthy session saw all its routes (${pub.healthy.size} of ${o.healthyRoutes})`);
    check(r, internal === 0, `no internal errors (${internal})`);
    check(r, growth < 64 * 1048576, `memory flat: heap grew ${mb(growth)} from the first sample under load to the end`);
    check(r, /evpnlens_bmp_messages_total/.test(messagesMetric), 'the station counted messages');
  } finally {
    await collector.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
