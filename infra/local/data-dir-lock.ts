/**
 * One stack per data directory: `<dataDir>/stack.lock` holds the PID of the evpn-lens process that owns it. A second
 * stack on the same directory is refused at once, naming that PID (before the Kafka broker finds the same out the
 * slow way). A lock whose process is gone (a killed stack) is stale: it is taken over, and the processes the dead
 * stack left behind are stopped first, since they still hold the directory's files and ports: its Kafka broker (found
 * by a command line naming a path in the directory) and the children it recorded in the lock (the demo's routers),
 * when their command line is still the recorded one (a PID can be reused).
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LocalRuntimeError } from './errors.js';

export class DataDirLockedError extends LocalRuntimeError {
  override readonly name: string = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by another evpn-lens stack (PID ${pid}); stop it (kill ${pid}) or use another --data-dir`);
  }
}

export interface DataDirLock {
  readonly file: string;
  /** The PID of the stack whose stale lock was taken over, if any. */
  readonly tookOverFrom: number | undefined;
  /** Records child processes to stop should this stack be killed and its lock taken over. */
  recordChildren(pids: number[]): void;
  release(): void;
}

interface LockContent {
  pid: number;
  startedAt: string;
  children?: { pid: number; cmd: string }[];
}

export const LOCK_FILE = 'stack.lock';

/** Whether a process with this PID exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a process (Linux /proc), or undefined when it cannot be read. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/** A live PID that is still the evpn-lens process that wrote the lock (not a recycled PID). */
function holderAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !processAlive(pid)) return false;
  const cmd = commandLine(pid);
  return cmd === undefined || /evpn-lens/.test(cmd);
}

/** What a stack starts that outlives it when it is killed: the Kafka broker (java) and the demo's routers. */
const STACK_CHILD = /\bkafka\.Kafka\b|(^|\/)gobgpd\b|(^|\/)bgpd\b/;

/** A stack's own child processes (STACK_CHILD) whose command line names a path inside `dir` (Linux; none elsewhere). */
export function processesUsing(dir: string): { pid: number; cmd: string }[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  const prefix = `${resolve(dir)}/`;
  const found: { pid: number; cmd: string }[] = [];
  for (const p of pids) {
    const pid = Number(p);
    if (pid === process.pid) continue;
    const cmd = commandLine(pid);
    if (cmd?.includes(prefix) && STACK_CHILD.test(cmd)) found.push({ pid, cmd });
  }
  return found;
}

async function killAndWait(pids: number[], timeoutMs = 5_000): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

function readLock(file: string): Partial<LockContent> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<LockContent>;
  } catch {
    return {}; // unreadable or half-written: treated as stale
  }
}

function readHolder(file: string): number | undefined {
  const pid = Number(readLock(file).pid);
  return Number.isInteger(pid) ? pid : undefined;
}

/** The recorded children of a dead holder that still run the same command. */
function recordedLeftovers(file: string): { pid: number; cmd: string }[] {
  const children = readLock(file).children;
  if (!Array.isArray(children)) return [];
  return children.filter((c) => Number.isInteger(c.pid) && c.pid > 0 && c.pid !== process.pid && commandLine(c.pid) === c.cmd);
}

/** Takes the data directory's lock, or throws DataDirLockedError naming the live holder. */
export async function lockDataDir(dataDir: string, log: (line: string) => void = () => undefined): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  let tookOverFrom: number | undefined;
  const content: LockContent = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // O_EXCL: of two stacks starting at once, exactly one creates the file.
      const fd = openSync(file, 'wx');
      writeSync(fd, `${JSON.stringify(content)}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const holder = readHolder(file);
    if (holder !== undefined && holderAlive(holder)) throw new DataDirLockedError(dir, holder);
    const leftovers = [...processesUsing(dir), ...recordedLeftovers(file)];
    log(
      `taking over ${file} from a stack that is no longer running (PID ${holder ?? 'unknown'})` +
        (leftovers.length ? `; stopping what it left running: ${leftovers.map((p) => `PID ${p.pid} (${p.cmd.slice(0, 60)})`).join(', ')}` : ''),
    );
    await killAndWait(leftovers.map((p) => p.pid));
    tookOverFrom = holder;
    rmSync(file, { force: true });
  }
  let released = false;
  return {
    file,
    tookOverFrom,
    recordChildren(pids) {
      content.children = pids.flatMap((pid) => {
        const cmd = commandLine(pid);
        return cmd ? [{ pid, cmd }] : [];
      });
      writeFileSync(`${file}.tmp`, `${JSON.stringify(content)}\n`);
      renameSync(`${file}.tmp`, file);
    },
    release() {
      if (released) return;
      released = true;
      if (readHolder(file) === process.pid) rmSync(file, { force: true });
    },
  };
}
