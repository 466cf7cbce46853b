/**
 * `npm run soak`: start/stop soak of the CLI as a user runs it (not a timed test: it takes about half an hour).
 *
 *   N cycles (--start, default 50) of `evpn-lens start` on a fresh data dir, SIGINT to its process group (as a terminal's
 *   Ctrl-C) at a random moment 0–20 s after launch; M cycles (--demo, default 20) of `evpn-lens demo`, SIGINT at 0–30 s.
 *
 * A cycle fails when the process is not gone within 5 s of the signal, when anything of it is left after that (its
 * process group, a Kafka JVM or router naming its data dir, a demo router on 127.0.4.0/24, a port it had bound), when it
 * logged an error line, or when it exited before the signal (the start itself failed). Prints failures, the exit time
 * after the signal (p50/p95/max) and the exit codes. Exit status 1 when any cycle failed.
 *
 *   npm run soak -- --start 50 --demo 20 [--seed 1]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { commandLine, processesUsing } from '../infra/local/data-dir-lock.js';
import { readStackFile } from '../infra/local/stack-file.js';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'bin/evpn-lens.mjs');
const EXIT_BOUND_MS = 5_000;

const { values } = parseArgs({
  options: {
    start: { type: 'string', default: '50' },
    demo: { type: 'string', default: '20' },
    'start-window': { type: 'string', default: '20' },
    'demo-window': { type: 'string', default: '30' },
    seed: { type: 'string' },
  },
});

// A small seeded generator, so that a failing sequence of signal moments can be run again.
let seed = Number(values.seed ?? Date.now() % 1_000_000);
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

interface Cycle {
  kind: 'start' | 'demo';
  n: number;
  signalAtMs: number;
  /** How far the start had got when the signal came. */
  phase: string;
  exitMs: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((r) => {
    const srv = createServer();
    srv.once('error', () => r(false));
    srv.listen(port, host, () => srv.close(() => r(true)));
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The demo's routers: gobgpd with its API on 127.0.4.x, FRR's bgpd listening on 127.0.4.x. */
function demoRouters(): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = commandLine(Number(p));
    if (cmd && /(^|\/)(gobgpd|bgpd)\b/.test(cmd) && /127\.0\.4\.(1|2|11|12|13|21|22)\b/.test(cmd)) out.push({ pid: Number(p), cmd });
  }
  return out;
}

function lastPhase(lines: string[], dataDir: string, pid: number): string {
  if (readStackFile(dataDir)?.pid === pid) return 'ready';
  const text = lines.join('\n');
  if (text.includes('starting the demo routers')) return 'routers';
  if (text.includes('BMP station listening')) return 'collector';
  // From the broker's start until the collector listens: the broker, the topics, the store, the consumers joining.
  if (text.includes('starting Kafka broker')) return 'broker-to-consumers';
  if (text.includes('"msg":"starting"')) return 'loading';
  return 'launch';
}

async function cycle(kind: 'start' | 'demo', n: number, windowS: number): Promise<Cycle> {
  const dataDir = mkdtempSync(join(tmpdir(), `evpn-lens-soak-${kind}-`));
  const args =
    kind === 'start'
      ? ['start', '--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--bmp-listen', '127.0.0.1:0', '--log-format', 'json']
      : ['demo', '--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--log-format', 'json'];
  const env = { ...process.env };
  for (const k of ['KAFKA_BROKERS', 'DYNAMODB_ENDPOINT', 'EVPN_LENS_API', 'EVPN_LENS_CONFIG', 'EVPN_LENS_DATA_DIR', 'EVPN_LENS_LOG_FORMAT']) delete env[k];
  const child: ChildProcess = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid!;
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const lines = () => text.split('\n').filter(Boolean);
  let exitAt: number | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      exitAt = Date.now();
      r({ code, signal });
    }),
  );
  const signalAtMs = Math.round(random() * windowS * 1000);
  const c: Cycle = { kind, n, signalAtMs, phase: 'launch', exitMs: undefined, code: null, signal: null, problems: [] };
  await Promise.race([sleep(signalAtMs), exited]);
  // Ports the stack had bound by now (stack.json, or the broker's log line), checked once it is gone.
  const ports: { host: string; port: number }[] = [];
  const info = readStackFile(dataDir);
  if (info?.pid === pid) {
    for (const a of [info.api.replace(/^https?:\/\//, ''), info.bmp, ...info.kafkaBrokers, info.dynamodbEndpoint.replace(/^https?:\/\//, '')]) {
      const m = /^(.*):(\d+)$/.exec(a);
      if (m) ports.push({ host: m[1]!, port: Number(m[2]) });
    }
  }
  for (const m of text.matchAll(/starting Kafka broker on ([\d.]+):(\d+)/g)) ports.push({ host: m[1]!, port: Number(m[2]) });
  c.phase = lastPhase(lines(), dataDir, pid);
  if (exitAt !== undefined) {
    c.problems.push(`exited before the signal: ${lines().slice(-3).join(' | ')}`);
  } else {
    const t0 = Date.now();
    process.kill(-pid, 'SIGINT');
    await Promise.race([exited, sleep(EXIT_BOUND_MS)]);
    // The process group and what the stack started must be gone within the same 5 s.
    while (Date.now() - t0 < EXIT_BOUND_MS && (groupAlive(pid) || processesUsing(dataDir).length > 0 || (kind === 'demo' && demoRouters().length > 0))) {
      await sleep(50);
    }
    c.exitMs = exitAt === undefined ? undefined : exitAt - t0;
    if (exitAt === undefined) c.problems.push(`still running ${EXIT_BOUND_MS} ms after SIGINT`);
  }
  const e = await Promise.race([exited, sleep(1).then(() => undefined)]);
  if (e) {
    c.code = e.code;
    c.signal = e.signal;
  }
  if (groupAlive(pid)) c.problems.push('process group still alive');
  const left = [...processesUsing(dataDir), ...(kind === 'demo' ? demoRouters() : [])];
  if (left.length) c.problems.push(`left behind: ${left.map((p) => p.cmd.slice(0, 80)).join('; ')}`);
  for (const p of ports) if (!(await portFree(p.host, p.port))) c.problems.push(`port ${p.host}:${p.port} still bound`);
  const errors = lines().filter((l) => /"level":(50|60)/.test(l) || /^evpn-lens: /.test(l));
  if (errors.length) c.problems.push(`error lines: ${errors.map((l) => l.slice(0, 200)).join(' | ')}`);
  // 130: stopped by the handler; killed by SIGINT itself: the signal came before the handler was installed (nothing started).
  if (e && e.code !== 130 && e.signal !== 'SIGINT' && c.exitMs !== undefined) c.problems.push(`exit code ${e.code ?? e.signal}`);
  // Clean up whatever a failed cycle left, so that the next one starts on a clean machine.
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
  return c;
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function summary(kind: string, cs: Cycle[]): void {
  if (!cs.length) return;
  const times = cs.flatMap((c) => (c.exitMs === undefined ? [] : [c.exitMs]));
  const codes = new Map<string, number>();
  for (const c of cs) {
    const k = c.signal ? `signal ${c.signal}` : String(c.code);
    codes.set(k, (codes.get(k) ?? 0) + 1);
  }
  const phases = new Map<string, number>();
  for (const c of cs) phases.set(c.phase, (phases.get(c.phase) ?? 0) + 1);
  const failed = cs.filter((c) => c.problems.length);
  console.log(
    `${kind}: ${failed.length} failures in ${cs.length} cycles; exit after SIGINT p50 ${pct(times, 50)} ms, p95 ${pct(times, 95)} ms, max ${Math.max(...times)} ms;` +
      ` exit codes ${[...codes].map(([k, v]) => `${k}×${v}`).join(', ')}; signal during ${[...phases].map(([k, v]) => `${k}×${v}`).join(', ')}`,
  );
}

const startN = Number(values.start);
const demoN = Number(values.demo);
console.log(
  `start/stop soak: ${startN} start cycles (SIGINT at 0-${values['start-window']} s), ${demoN} demo cycles (0-${values['demo-window']} s), seed ${seed}`,
);
const all: Cycle[] = [];
for (const [kind, count, window] of [
  ['start', startN, Number(values['start-window'])],
  ['demo', demoN, Number(values['demo-window'])],
] as const) {
  for (let i = 1; i <= count; i++) {
    const c = await cycle(kind, i, window);
    all.push(c);
    console.log(
      `${kind} ${i}/${count}: SIGINT at ${(c.signalAtMs / 1000).toFixed(1)} s (${c.phase}), exit ${c.exitMs ?? '-'} ms, code ${c.signal ?? c.code}` +
        (c.problems.length ? `  FAIL: ${c.problems.join('; ')}` : ''),
    );
  }
}
summary(
  'start',
  all.filter((c) => c.kind === 'start'),
);
summary(
  'demo',
  all.filter((c) => c.kind === 'demo'),
);
process.exit(all.some((c) => c.problems.length) ? 1 : 0);
