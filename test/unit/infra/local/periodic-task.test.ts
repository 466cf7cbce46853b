import { afterEach, describe, expect, it, vi } from 'vitest';
import { everyPeriod } from '../../../../infra/local/periodic-task.js';

describe('periodic task of the local stack', () => {
  afterEach(() => vi.useRealTimers());

  it('never runs twice at once: ticks during a run longer than the period are skipped', async () => {
    vi.useFakeTimers();
    let running = 0;
    let most = 0;
    let runs = 0;
    const finish: (() => void)[] = [];
    const task = everyPeriod(
      () => {
        runs++;
        running++;
        most = Math.max(most, running);
        return new Promise<void>((r) =>
          finish.push(() => {
            running--;
            r();
          }),
        );
      },
      1_000,
      () => undefined,
    );
    await vi.advanceTimersByTimeAsync(10_500); // ten ticks, the first run still going
    expect(runs).toBe(1);
    expect(most).toBe(1);
    expect(task.skipped).toBe(9);
    finish.shift()!();
    await vi.advanceTimersByTimeAsync(1_000); // the next tick runs again
    expect(runs).toBe(2);
    task.stop();
  });

  it('a failed run is reported and does not stop the next', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let runs = 0;
    const task = everyPeriod(
      async () => {
        runs++;
        throw new Error('boom');
      },
      1_000,
      (e) => errors.push(e),
    );
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toBe(3);
    expect(errors).toHaveLength(3);
    task.stop();
  });
});
