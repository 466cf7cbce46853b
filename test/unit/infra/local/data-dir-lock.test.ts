import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLine, DataDirLockedError, lockDataDir, processAlive } from '../../../../infra/local/data-dir-lock.js';

// Real processes stand in for stacks: a holder whose command line names evpn-lens, and a child it recorded.
describe('lockDataDir', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'evpn-lens-lock-'));
    dirs.push(d);
    return d;
  };
  const spawnAlive = (args: string[]) => {
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...args], { stdio: 'ignore' });
    children.push(c);
    return c;
  };
  const waitForCommandLine = async (pid: number) => {
    for (let i = 0; i < 100 && !commandLine(pid)?.includes('setInterval'); i++) await new Promise((r) => setTimeout(r, 20));
  };
  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('takes a free data dir and releases it', async () => {
    const d = dir();

    const lock = await lockDataDir(d);

    expect(JSON.parse(readFileSync(join(d, 'stack.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(join(d, 'stack.lock'))).toBe(false);
  });

  it('refuses a data dir held by a live evpn-lens process, naming its PID', async () => {
    const d = dir();
    const holder = spawnAlive(['evpn-lens', 'start']);
    await waitForCommandLine(holder.pid!);
    writeFileSync(join(d, 'stack.lock'), JSON.stringify({ pid: holder.pid, startedAt: new Date().toISOString() }));

    const attempt = lockDataDir(d);

    await expect(attempt).rejects.toThrow(DataDirLockedError);
    await expect(attempt).rejects.toThrow(`in use by another evpn-lens stack (PID ${holder.pid})`);
  });

  it("takes over a dead holder's lock and stops the children it recorded, but not a reused PID", async () => {
    const d = dir();
    const holder = spawnAlive(['evpn-lens', 'demo']);
    const router = spawnAlive(['gobgpd-stand-in']);
    const stranger = spawnAlive(['not-a-router']);
    await Promise.all([holder, router, stranger].map((c) => waitForCommandLine(c.pid!)));
    writeFileSync(
      join(d, 'stack.lock'),
      JSON.stringify({
        pid: holder.pid,
        startedAt: new Date().toISOString(),
        children: [
          { pid: router.pid, cmd: commandLine(router.pid!) },
          { pid: stranger.pid, cmd: 'gobgpd -f /somewhere/else.toml' }, // the PID now runs something else
        ],
      }),
    );
    holder.kill('SIGKILL');
    await exited(holder);
    const lines: string[] = [];

    const lock = await lockDataDir(d, (l) => lines.push(l));

    expect(lock.tookOverFrom).toBe(holder.pid);
    expect(lines.join('\n')).toContain(`no longer running (PID ${holder.pid})`);
    await exited(router);
    expect(processAlive(stranger.pid!)).toBe(true);
    lock.release();
  });

  it('records children in the lock for the next stack to find', async () => {
    const d = dir();
    const child = spawnAlive(['recorded']);
    await waitForCommandLine(child.pid!);
    const lock = await lockDataDir(d);

    lock.recordChildren([child.pid!]);

    expect(JSON.parse(readFileSync(join(d, 'stack.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      children: [{ pid: child.pid, cmd: expect.stringContaining('recorded') }],
    });
    lock.release();
  });
});
