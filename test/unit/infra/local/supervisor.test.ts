/** The local stack's supervisor, on real child processes: restart with back-off after a kill, status for /readyz, stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { supervise } from '../../../../infra/local/supervisor.js';

const idle = () => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const until = async (cond: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('supervise', () => {
  it('starts a part again after it was killed, with back-off, naming it while down; stop() ends it for good', async () => {
    const lines: { msg: string; attempt?: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    let starts = 0;
    let failNext = 0;
    const s = await supervise<ChildProcess>({
      name: 'test part',
      start: async () => {
        starts++;
        if (failNext > 0) {
          failNext--;
          throw new Error('refused to start');
        }
        return idle();
      },
      exited: (c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : once(c, 'exit')),
      stop: async (c) => {
        c.kill('SIGKILL');
        if (c.exitCode === null && c.signalCode === null) await once(c, 'exit');
      },
      backoffMs: { initial: 50, max: 200 },
      logger,
    });
    expect(s.status()).toMatchObject({ state: 'up', attempt: 0, restarts: 0 });
    expect(s.problem()).toBeUndefined();
    const first = s.current();
    failNext = 2; // the first two restarts fail: attempts 1, 2, 3
    first.kill('SIGKILL');
    await until(() => s.status().state === 'down', 'down');
    expect(s.problem()).toMatch(/^test part down, restarting \(attempt \d\)$/);
    await s.whenUp();
    expect(s.current()).not.toBe(first);
    expect(s.status()).toMatchObject({ state: 'up', attempt: 0, restarts: 1 });
    expect(starts).toBe(4);
    expect(lines.filter((l) => /test part down, restarting/.test(l.msg)).map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(lines.some((l) => l.msg === 'test part restarted')).toBe(true);
    const last = s.current();
    await s.stop();
    expect(last.signalCode).toBe('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(starts).toBe(4); // a stopped part is not started again
    expect(s.status().state).toBe('stopped');
  });
});
