/** `evpn-lens start` (or `demo`) as a child process, exactly as a user runs it, with its output kept for assertions. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { readStackFile, type StackFile } from '../../../infra/local/stack-file.js';
import { waitFor } from './env.js';

export const root = resolve(import.meta.dirname, '../../..');
export const cli = join(root, 'bin/evpn-lens.mjs');

/** The environment of a user with nothing set: no broker, store, API or configuration from the test run. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ['KAFKA_BROKERS', 'DYNAMODB_ENDPOINT', 'EVPN_LENS_API', 'EVPN_LENS_CONFIG', 'EVPN_LENS_DATA_DIR', 'EVPN_LENS_LOG_FORMAT']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  /** stdout and stderr so far, line by line. */
  lines(): string[];
  /** Resolves on exit: the code, and the milliseconds since `since` (default: the spawn). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends a signal and waits for the exit; `ms` is the time from the signal to the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/** `group`: the CLI leads its own process group, and stop() signals the whole group, as a terminal's Ctrl-C does. */
export function runCli(args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; group?: boolean } = {}): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: o.cwd ?? root,
    env: o.env ?? cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: o.group ?? false,
  });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal, at: Date.now() })),
  );
  return {
    child,
    pid: child.pid!,
    lines: () => text.split('\n').filter(Boolean),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, ms: 0 };
      const t0 = Date.now();
      if (o.group) process.kill(-child.pid!, signal);
      else child.kill(signal);
      const e = await exited;
      return { code: e.code, ms: e.at - t0 };
    },
  };
}

/** Starts `evpn-lens start` on free ports and waits for its stack.json (it is written once the stack is up). */
export async function startCli(dataDir: string, o: { cwd?: string; env?: NodeJS.ProcessEnv; args?: string[]; timeoutMs?: number; group?: boolean } = {}) {
  const p = runCli(['start', '--data-dir', dataDir, '--api-listen', '127.0.0.1:0', '--bmp-listen', '127.0.0.1:0', ...(o.args ?? [])], o);
  const info: StackFile = await waitFor(
    () => {
      if (p.child.exitCode !== null) throw new Error(`evpn-lens start exited with ${p.child.exitCode}:\n${p.lines().join('\n')}`);
      const s = readStackFile(dataDir);
      return s?.pid === p.pid ? s : undefined;
    },
    'stack.json of the started stack',
    o.timeoutMs ?? 90_000,
    200,
  );
  return { ...p, info };
}

/** Log lines at error level or above (pino: 50 error, 60 fatal). */
export const errorLines = (lines: string[]) => lines.filter((l) => /"level":(50|60)/.test(l));
