/**
 * Drill 6, slow consumer: MAC moves from a synthetic route reflector at a rate above what the index sustains on
 * dynalite, for a while. Reports the lag growing and then draining once the churn stops, the latency from the BMP
 * message to the API answer (p50, p99) measured at a rate the index keeps up with, and the stack's RSS and RssAnon over
 * time (the collector runs in the stack's process locally); RssAnon must stay within 1.5 GB after the warm-up. The
 * index ends with every MAC at its last VTEP.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { ipOf, macOf, routerOpening, routerRoutes } from '../../../bench/generate-stream.js';
import { ZERO_ESI } from '../../../schemas/ethernet-segment.js';
import { percentile } from '../support/api-load.js';
import { openBmp, write } from '../support/bmp-feed.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { drained, drillRouterId, startDrillStack } from '../support/drill-stack.js';
import { classify, describeDifferences, diffSnapshots, type IndexSnapshot, snapshotIndex } from '../support/index-snapshot.js';
import { newResult } from '../support/route-flow.js';
import { progress, sleep, waitUntil } from '../support/wait.js';

export interface SlowConsumerOptions {
  macs: number;
  /** Route events per second of the overload phase (each move is an advertisement and a withdrawal). */
  overloadRate: number;
  churnSeconds: number;
  /** Route events per second of the latency phase, and how long it lasts. */
  sustainRate: number;
  latencySeconds: number;
}

const FIRST = 0x0066_0000;
const PROBE_FIRST = 0x0067_0000;
const PROBE_VTEP = '10.76.9.1';
/** Generous: drills 1-6 run side by side in CI on 2 cores, where a probe took over 120 s once (load average 16). */
const PROBE_DEADLINE_MS = 300_000;
/** Issue 20: the stack's anonymous memory stays bounded under sustained churn. */
const RSS_ANON_LIMIT_MB = 1536;
const vtepOf = (round: number) => (i: number) => `10.76.${round % 4}.${(i % 50) + 1}`;

export async function slowConsumerDrill(o: SlowConsumerOptions, faults?: DrillFaults): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(
    6,
    'slow consumer',
    `${o.churnSeconds} s of moves at ${o.overloadRate.toLocaleString('en-US')} events/s over ${o.macs.toLocaleString('en-US')} MACs`,
  );
  // The broker keeps what the churn writes until the functions have read it: millions of moves and the flap alerts
  // they raise outgrow the default 2 GB cap (at full size it deleted alerts before the health function read them).
  const localRetentionBytes = Math.max(2 ** 31, Math.round(o.overloadRate * o.churnSeconds * 2_000));
  const ds = await startDrillStack({ faults, name: 'slow-consumer', localRetentionBytes });
  const rr = { bgpId: drillRouterId(6, 1), views: ['post' as const] };
  const prober = { bgpId: drillRouterId(6, 2), views: ['post' as const] };
  const rss: string[] = [];
  const heapAfterGc: string[] = [];
  const lagSeries: number[] = [];
  const mb = () => `${(process.memoryUsage().rss / 1048576).toFixed(0)}`;
  // Anonymous memory: what the process holds itself (the embedded store's memory-mapped pages are file pages, in RSS).
  const rssAnon: number[] = [];
  const anonMb = () => Math.round(Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);
  let warmSamples = Number.POSITIVE_INFINITY; // samples from here on are after the warm-up (the latency phase)
  let round = 0;
  const lastRound = new Int32Array(o.macs);
  /** One round: every MAC moves to the round's VTEPs (advertised with sequence `round`, withdrawn at the last ones). */
  const moves = async (sock: Socket, ratePerSec: number, seconds: number) => {
    const end = Date.now() + seconds * 1000;
    const chunk = Math.max(1, Math.floor(ratePerSec / 10 / 2)); // MACs per 100 ms
    for (let off = 0; Date.now() < end; ) {
      const t = Date.now();
      const from = FIRST + off;
      const to = Math.min(FIRST + o.macs, from + chunk);
      if (off === 0) round++;
      const adv = routerRoutes(rr, { from, to, vtepOf: vtepOf(round), seq: round }).stream;
      const wd = round > 1 ? routerRoutes(rr, { from, to, vtepOf: vtepOf(round - 1), withdraw: true }).stream : Buffer.alloc(0);
      await write(sock, Buffer.concat([adv, wd]));
      lastRound.fill(round, from - FIRST, to - FIRST);
      off = to - FIRST >= o.macs ? 0 : to - FIRST;
      const wait = 100 - (Date.now() - t);
      if (wait > 0) await sleep(wait);
    }
  };
  try {
    const sock = await openBmp(ds.bmpPort);
    await write(sock, routerOpening(rr));
    const probeSock = await openBmp(ds.bmpPort);
    await write(probeSock, routerOpening(prober));
    let ticks = 0;
    const sampler = setInterval(() => {
      rss.push(mb());
      rssAnon.push(anonMb());
      // Live heap after a full GC every 10 s (npm run drills exposes gc): growth here is held memory, not lazy GC.
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && ticks++ % 10 === 0) {
        gc();
        heapAfterGc.push((process.memoryUsage().heapUsed / 1048576).toFixed(0));
      }
      void ds.stack.runner
        .lag()
        .then((l) => lagSeries.push(Object.entries(l).reduce((n, [m, x]) => (m.startsWith('mac-index.') ? n + x : n), 0)))
        .catch(() => undefined);
    }, 1000);
    progress('slow consumer', 'stack up; latency phase');
    // Latency at a sustainable rate: probes (new MACs on a second router) while the moves go on.
    const latencies: number[] = [];
    let probeNo = 0;
    const lookedUp = async (mac: string) => (await fetch(`${ds.stack.apiUrl}/v1/hosts/${mac}`)).status === 200;
    const send = async () => {
      const i = PROBE_FIRST + probeNo++;
      await write(probeSock, routerRoutes(prober, { from: i, to: i + 1, vtepOf: () => PROBE_VTEP }).stream);
      return macOf(i);
    };
    {
      // Warm-up: the consumers' first fetches, the API's first lookups.
      const mac = await send();
      await waitUntil(() => lookedUp(mac), `probe ${mac} in the API`, PROBE_DEADLINE_MS, 10);
    }
    // A probe every 200 ms while the moves go on. One poller asks for the outstanding probes one request at a time:
    // a poll per probe every few ms would itself load the one process the stack runs in, and more so as it lags.
    const outstanding = new Map<string, number>();
    let sending = true;
    const probing = (async () => {
      const end = Date.now() + o.latencySeconds * 1000;
      while (Date.now() < end) {
        const t = performance.now();
        outstanding.set(await send(), t);
        await sleep(200);
      }
      sending = false;
    })();
    const polling = (async () => {
      while (sending || outstanding.size > 0) {
        for (const [mac, t] of [...outstanding]) {
          if (await lookedUp(mac)) {
            latencies.push(performance.now() - t);
            outstanding.delete(mac);
          } else if (performance.now() - t > PROBE_DEADLINE_MS) throw new Error(`probe ${mac} not in the API after ${PROBE_DEADLINE_MS / 1000} s`);
        }
        await sleep(5);
      }
    })();
    polling.catch(() => undefined); // awaited below; a failure meanwhile is not an unhandled rejection
    await moves(sock, o.sustainRate, o.latencySeconds);
    await probing;
    await polling;
    latencies.sort((a, b) => a - b);
    r.figures.bmpToApi = `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (${latencies.length} probes at ${o.sustainRate} events/s)`;
    progress('slow consumer', `latency ${r.figures.bmpToApi}; draining`);
    await drained(ds.stack);
    progress('slow consumer', 'overload phase');
    // Overload.
    const lagBefore = lagSeries.length;
    warmSamples = rssAnon.length;
    const churnStart = Date.now();
    await moves(sock, o.overloadRate, o.churnSeconds);
    const churnEnd = Date.now();
    progress('slow consumer', `churn done (${round} rounds); draining`);
    const drainMs = await drained(ds.stack, 3_600_000);
    clearInterval(sampler);
    const during = lagSeries.slice(lagBefore);
    const maxLag = Math.max(0, ...during);
    r.figures.lag = `max ${maxLag.toLocaleString('en-US')} records; drained ${(drainMs / 1000).toFixed(0)} s after the churn stopped`;
    r.figures.lagSeries = during.filter((_, k) => k % Math.max(1, Math.floor(during.length / 12)) === 0).join(' ');
    r.figures.rssMb = rss.filter((_, k) => k % Math.max(1, Math.floor(rss.length / 12)) === 0).join(' ');
    r.figures.rssAnonMb = rssAnon.filter((_, k) => k % Math.max(1, Math.floor(rssAnon.length / 12)) === 0).join(' ');
    const warm = rssAnon.slice(warmSamples);
    const anonPeak = Math.max(0, ...warm);
    check(r, anonPeak <= RSS_ANON_LIMIT_MB, `RssAnon within ${RSS_ANON_LIMIT_MB} MB after the warm-up (peak ${anonPeak} MB, from ${warm[0] ?? 0} MB)`);
    if (heapAfterGc.length) r.figures.heapAfterGcMb = heapAfterGc.filter((_, k) => k % Math.max(1, Math.floor(heapAfterGc.length / 12)) === 0).join(' ');
    r.recoverMs = drainMs;
    r.eventsIn = await routeCount(ds);
    r.eventsOut = ds.delivery.delivered;
    r.duplicates = ds.delivery.delivered - ds.delivery.distinct.size;
    r.figures.churn = `${((churnEnd - churnStart) / 1000).toFixed(0)} s, ${round} rounds`;
    check(r, maxLag > 0, `lag grew during the churn (max ${maxLag})`);
    check(r, ds.delivery.distinct.size === r.eventsIn, `every event was delivered to the index (${ds.delivery.distinct.size} of ${r.eventsIn})`);
    // Every MAC sent, read through the API: each moved MAC where its last move put it (the last round may be partial),
    // its earlier locations withdrawn (none left competing), and every probe at its VTEP.
    const expected: IndexSnapshot = new Map();
    const put = (i: number, vtep: string) =>
      expected.set(`${macOf(i)}|VNI#10100`, { fabric: 'dc6', vtep, vteps: [vtep], esi: ZERO_ESI, ips: [ipOf(i)], competing: [] });
    for (let i = 0; i < o.macs; i++) if (lastRound[i]! > 0) put(FIRST + i, vtepOf(lastRound[i]!)(FIRST + i));
    for (let k = 0; k < probeNo; k++) put(PROBE_FIRST + k, PROBE_VTEP);
    const diffs = diffSnapshots(expected, await snapshotIndex(ds.stack.apiUrl, [10100]));
    r.indexDiffs = diffs.length;
    r.figures.lost = `${classify(diffs).lost.length} of ${expected.size} MACs expected (every MAC compared with what was sent)`;
    check(r, diffs.length === 0, `every MAC at the VTEP of its last move, nothing else indexed (${describeDifferences(diffs)})`);
    sock.destroy();
    probeSock.destroy();
  } finally {
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}

async function routeCount(ds: Awaited<ReturnType<typeof startDrillStack>>): Promise<number> {
  const m = await ds.stack.collector.registry.getSingleMetric('evpnlens_evpn_routes_total')?.get();
  return (m?.values ?? []).reduce((n, v) => n + v.value, 0);
}
