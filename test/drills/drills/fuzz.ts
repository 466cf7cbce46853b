/**
 * Drill 8, fuzz: mutated BMP messages (test/fixtures/bmp/mutate.ts) over many concurrent sessions into a whole drill
 * stack (collector, Kafka, MAC index, API), reconnecting when the station closes one (a framing error ends only that
 * session), alongside one healthy session whose every route must be indexed as sent. Measured: messages sent (counted
 * once written to an open session), route events delivered to the MAC index (duplicates: deliveries beyond the first),
 * the healthy MACs compared one by one with what was sent (read through the API), internal errors (must be 0), decode
 * errors (must be > 0: the fuzz reached the decoders), a fresh session after the fuzz indexed end to end, and the live
 * heap (after GC) of the process, which runs the stack too.
 */
import { ipOf, macOf, routerEndOfRib, routerOpening, routerRoutes } from '../../../bench/generate-stream.js';
import { ZERO_ESI } from '../../../schemas/ethernet-segment.js';
import { attrs, bmpMsg, evpn, open, type2Update, update } from '../../fixtures/bmp/builders.js';
import { mutate } from '../../fixtures/bmp/mutate.js';
import { mulberry32 } from '../../support/rng.js';
import { closeBmp, openBmp, write } from '../support/bmp-feed.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { drained, drillRouterId, startDrillStack } from '../support/drill-stack.js';
import { classify, describeDifferences, diffSnapshots, type IndexSnapshot, snapshotIndex } from '../support/index-snapshot.js';
import { newResult } from '../support/route-flow.js';
import { progress, sleep, waitUntil } from '../support/wait.js';

const HEALTHY_FROM = 0x00ff_0000;
/** The healthy session's VNI: none of the fuzz seeds uses it, so mutated routes hardly ever land beside its MACs. */
const HEALTHY_VNI = 10800;
const healthyVtep = (i: number) => `10.88.${(i >> 8) & 0x3f}.${(i % 200) + 1}`;

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

/** BMP messages in a byte stream (RFC 7854 §4.1: version 1 octet, message length 4 octets, type 1 octet). */
function bmpMessageCount(b: Buffer): number {
  let n = 0;
  for (let off = 0; off + 6 <= b.length; off += b.readUInt32BE(off + 1)) n++;
  return n;
}

/** Sum of a counter's values, or of those whose labels match `labels`. */
async function metricSum(ds: Awaited<ReturnType<typeof startDrillStack>>, name: string, labels?: RegExp): Promise<number> {
  const m = await ds.stack.collector.registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).filter((v) => !labels || labels.test(JSON.stringify(v.labels))).reduce((n, v) => n + v.value, 0);
}

export async function fuzzDrill(o: { messages: number; sessions: number; healthyRoutes: number; seed: number }, faults?: DrillFaults): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(8, 'fuzz', `${o.messages.toLocaleString('en-US')} mutated BMP messages over ${o.sessions} sessions + 1 healthy session, whole stack`);
  const healthyRouter = { bgpId: drillRouterId(8, 1), views: ['post' as const] };
  const ds = await startDrillStack({ faults, name: 'fuzz' });
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
    const messages0 = await metricSum(ds, 'evpnlens_bmp_messages_total');
    // The healthy router: its whole table, sent in slices between the fuzzers' bursts.
    const healthy = await openBmp(ds.bmpPort, { localAddress: '127.0.7.80' });
    const healthyRoutes = routerRoutes(healthyRouter, {
      from: HEALTHY_FROM,
      to: HEALTHY_FROM + o.healthyRoutes,
      vtepOf: healthyVtep,
      vniOf: () => HEALTHY_VNI,
    });
    const table = Buffer.concat([routerOpening(healthyRouter), healthyRoutes.stream, routerEndOfRib(healthyRouter)]);
    const healthySlices = 20;
    let healthyOff = 0;
    sample();
    const fuzzer = async (k: number) => {
      const src = seeds(`10.80.${k}.1`);
      const localAddress = `127.0.7.${81 + (k % 100)}`;
      let sock = await openBmp(ds.bmpPort, { localAddress });
      let closed = false;
      sock.on('close', () => (closed = true));
      for (let i = 0; i < perSession; i += 100) {
        if (closed) {
          reconnects++;
          sock = await openBmp(ds.bmpPort, { localAddress });
          closed = false;
          sock.on('close', () => (closed = true));
        }
        const n = Math.min(100, perSession - i);
        const burst = Buffer.concat(Array.from({ length: n }, (_, j) => mutate(next, src[(i + j) % src.length]!)));
        // Counted as sent once written to a session still open (a burst the station cut off is not counted).
        const ok = await write(sock, burst).then(
          () => !closed && !sock.destroyed,
          () => false,
        );
        if (ok) sent += n;
        else closed = true;
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
    progress('fuzz', `${sent.toLocaleString('en-US')} messages sent; waiting for the stack to index everything`);
    await waitUntil(() => ds.stack.collector.publisher.bufferedBytes === 0, 'the collector to publish everything', 600_000, 100);
    await ds.stack.collector.publisher.flush();
    await drained(ds.stack, 1_800_000);
    sample();
    // Still accepting, end to end: a fresh router's session after the fuzz gets its route indexed.
    const prober = { bgpId: drillRouterId(8, 2), views: ['post' as const] };
    const probeMac = macOf(HEALTHY_FROM + 0xf000);
    const probe = await openBmp(ds.bmpPort, { localAddress: '127.0.7.79' });
    await write(
      probe,
      Buffer.concat([routerOpening(prober), routerRoutes(prober, { from: HEALTHY_FROM + 0xf000, to: HEALTHY_FROM + 0xf001, vniOf: () => HEALTHY_VNI }).stream]),
    );
    let probeStatus = 0;
    await waitUntil(
      async () => (probeStatus = (await fetch(`${ds.stack.apiUrl}/v1/hosts/${probeMac}`)).status) === 200,
      `probe ${probeMac} in the API`,
      120_000,
      200,
    ).catch(() => undefined);
    await closeBmp(probe);
    await closeBmp(healthy);
    await drained(ds.stack, 600_000);
    const internal = await metricSum(ds, 'evpnlens_bmp_decode_errors_total', /"kind":"internal"/);
    const decodeErrors = await metricSum(ds, 'evpnlens_bmp_decode_errors_total');
    const counted = (await metricSum(ds, 'evpnlens_bmp_messages_total')) - messages0;
    // The healthy MACs, every one, through the API: where the healthy router put them.
    const expected: IndexSnapshot = new Map();
    for (let i = HEALTHY_FROM; i < HEALTHY_FROM + o.healthyRoutes; i++) {
      const vtep = healthyVtep(i);
      expected.set(`${macOf(i)}|VNI#${HEALTHY_VNI}`, { fabric: 'dc8', vtep, vteps: [vtep], esi: ZERO_ESI, ips: [ipOf(i)], competing: [] });
    }
    const actual: IndexSnapshot = new Map([...(await snapshotIndex(ds.stack.apiUrl, [HEALTHY_VNI]))].filter(([k]) => k !== `${probeMac}|VNI#${HEALTHY_VNI}`));
    const diffs = diffSnapshots(expected, actual);
    r.eventsIn = sent;
    r.eventsOut = ds.delivery.delivered;
    r.duplicates = ds.delivery.delivered - ds.delivery.distinct.size;
    r.indexDiffs = diffs.length;
    r.figures.healthyMacs = `${classify(diffs).lost.length} lost of ${o.healthyRoutes.toLocaleString('en-US')} (every healthy MAC compared with what was sent)`;
    r.figures.stationMessages = `${counted.toLocaleString('en-US')} counted, ${decodeErrors.toLocaleString('en-US')} decode errors`;
    r.figures.reconnects = String(reconnects);
    r.figures.internalErrors = String(internal);
    r.figures.probeAfterFuzz = probeStatus === 200 ? 'indexed' : `not indexed (${probeStatus})`;
    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
    r.figures.rss = rss.map(mb).join(' → ');
    r.figures.heapAfterGc = heap.map(mb).join(' → ');
    const base = heap[1] ?? heap[0]!;
    const growth = heap[heap.length - 1]! - base;
    check(r, diffs.length === 0, `every healthy MAC indexed as sent (${describeDifferences(diffs)})`);
    check(r, internal === 0, `no internal errors (${internal})`);
    check(r, decodeErrors > 0, `the mutated messages reached the decoders (${decodeErrors} decode errors)`);
    const healthyMessages = bmpMessageCount(table);
    check(r, counted >= healthyMessages, `the station counted messages (${counted}; the healthy session alone sent ${healthyMessages})`);
    check(r, probeStatus === 200, `a fresh session after the fuzz is served end to end (probe ${probeMac}: ${probeStatus})`);
    check(r, growth < 64 * 1048576, `memory flat: heap grew ${mb(growth)} from the first sample under load to the end`);
  } finally {
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
