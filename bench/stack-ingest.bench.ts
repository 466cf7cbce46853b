/**
 * End to end on this machine: `npm start`'s stack (embedded Kafka broker, the embedded store) indexes a dump of
 * BENCH_MACS MACs (default 50,000) from 2 route reflectors × 3 RIB views (6 route events per MAC), timed from the
 * first BMP byte until the API answers every MAC (the fabric's MAC count, then spot checks). It samples the stack
 * process's RssAnon (anonymous memory: the store's memory-mapped pages are file pages) every second.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../infra/config/load-config.js';
import { freePort } from '../infra/local/free-port.js';
import { startLocalStack } from '../infra/local/stack.js';
import { closeBmp, openBmp, write } from '../test/drills/support/bmp-feed.js';
import { macOf, routerEndOfRib, routerOpening, routerRoutes, type SyntheticRouter } from './generate-stream.js';

const MACS = Number(process.env.BENCH_MACS ?? 50_000);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_S ?? 900) * 1000;
const rssAnonMb = () => Math.round(Number(/RssAnon:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024);

// The streams are generated before the stack starts: generating them blocks the event loop for seconds, which
// would cost the consumers their group membership (missed heartbeats) and time the generator, not the stack.
const views = ['pre', 'post', 'loc'] as const;
const streams = [1, 2].map((rr) => {
  const r: SyntheticRouter = { bgpId: `10.70.1.${rr}`, peer: '10.70.1.100', views: [...views] };
  const routes = routerRoutes(r, { from: 0, to: MACS, vtepOf: (i) => `10.80.${(i >> 8) & 0x3f}.${(i % 200) + 1}`, vniOf: (i) => 20000 + (i % 10) });
  return { open: routerOpening(r), routes: routes.stream, events: routes.events, eor: routerEndOfRib(r) };
});
const dataDir = mkdtempSync(join(tmpdir(), 'evpn-lens-ingest-'));
const cfg = parseConfig({
  dataDir,
  logLevel: 'warn',
  fabrics: [{ name: 'dc1', match: { routerIds: ['10.70.1.1', '10.70.1.2'] } }],
  collector: { bmp: { listen: `127.0.0.1:${await freePort()}` } },
  api: { listen: `127.0.0.1:${await freePort()}` },
});
const stack = await startLocalStack(cfg, { logger: pino({ level: 'warn' }) });
for (let i = 0; ; i++) {
  if ((await fetch(`${stack.apiUrl}/readyz`)).status === 200) break;
  if (i > 600) throw new Error('the stack did not become ready');
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`stack up (store: ${stack.dynamodbEndpoint}); feeding ${MACS.toLocaleString('en-US')} MACs × 2 RRs × 3 views`);
const expectedEvents = streams.reduce((n, s) => n + s.events, 0);

let peakAnon = rssAnonMb();
const samples: number[] = [];
const sampler = setInterval(() => {
  const a = rssAnonMb();
  samples.push(a);
  peakAnon = Math.max(peakAnon, a);
}, 1000);
// The broker is a JVM of its own (not in the stack's CPU figure): its CPU seconds from /proc (clock ticks of 1/100 s).
const brokerCpuS = () => {
  const pid = stack.broker?.current()?.pid;
  if (!pid) return 0;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const b0 = brokerCpuS();
const c0 = process.cpuUsage();
const t0 = Date.now();
const sockets = await Promise.all(streams.map(() => openBmp(Number(cfg.collector.bmp.listen.port))));
await Promise.all(streams.map((s, i) => write(sockets[i]!, Buffer.concat([s.open, s.routes, s.eor]))));
const fedMs = Date.now() - t0;
let macs = 0;
while (Date.now() - t0 < DEADLINE_MS) {
  const body = (await (await fetch(`${stack.apiUrl}/v1/fabrics`)).json()) as { fabrics: { name: string; macs: number }[] };
  macs = body.fabrics.find((f) => f.name === 'dc1')?.macs ?? 0;
  if (macs >= MACS) break;
  await new Promise((r) => setTimeout(r, 250));
}
const indexedMs = Date.now() - t0;
let found = 0;
for (const i of [0, Math.floor(MACS / 2), MACS - 1]) if ((await fetch(`${stack.apiUrl}/v1/hosts/${macOf(i)}`)).status === 200) found++;
clearInterval(sampler);
const cpu = process.cpuUsage(c0);
const brokerS = brokerCpuS() - b0;
const stackS = (cpu.user + cpu.system) / 1e6;
console.log(
  `${expectedEvents.toLocaleString('en-US')} route events (${MACS.toLocaleString('en-US')} MACs × 2 RRs × 3 views): ${macs.toLocaleString('en-US')} MACs queryable after ${(indexedMs / 1000).toFixed(1)} s (fed in ${(fedMs / 1000).toFixed(1)} s) = ${Math.round(expectedEvents / (indexedMs / 1000)).toLocaleString('en-US')} route events/s; spot checks ${found}/3; stack CPU ${stackS.toFixed(0)} s (${Math.round(expectedEvents / stackS).toLocaleString('en-US')} route events per CPU-second), Kafka broker CPU ${brokerS.toFixed(0)} s; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; RssAnon peak ${peakAnon} MB, at the end ${samples[samples.length - 1] ?? peakAnon} MB`,
);
for (const s of sockets) await closeBmp(s);
await stack.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(macs >= MACS ? 0 : 1);
