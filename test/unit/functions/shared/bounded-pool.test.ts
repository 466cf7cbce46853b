import { describe, expect, it } from 'vitest';
import { newPoolStats, runBounded } from '../../../../functions/shared/bounded-pool.js';

const tick = () => new Promise((r) => setTimeout(r, 2));

describe('runBounded', () => {
  it('runs every item, never more than the limit at once, and reports the occupancy', async () => {
    // Arrange
    let inFlight = 0;
    let most = 0;
    const done: number[] = [];
    const stats = newPoolStats();

    // Act: 50 items that each take a few turns, 8 at a time.
    await runBounded(
      Array.from({ length: 50 }, (_, i) => i),
      8,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick();
        inFlight--;
        done.push(i);
      },
      stats,
    );

    // Assert
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(most).toBe(8);
    expect(stats.items).toBe(50);
    expect(stats.busyItemMs / stats.busyMs).toBeGreaterThan(4);
    expect(stats.busyItemMs / stats.busyMs).toBeLessThanOrEqual(8);
  });

  it('starts no item after one threw, waits for those in flight, then rejects with the error', async () => {
    const finished: number[] = [];
    const run = runBounded([1, 2, 3, 4, 5, 6], 2, async (i) => {
      await new Promise((r) => setTimeout(r, i === 1 ? 1 : 20));
      if (i === 1) throw new Error('boom');
      finished.push(i);
    });
    await expect(run).rejects.toThrow('boom');
    // 1 threw while 2 was in flight: 2 finished before the run settled, 3..6 never started.
    expect(finished).toEqual([2]);
  });

  it('starts items in the order given', async () => {
    const started: number[] = [];
    await runBounded([1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, 6 - i));
    });
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });
});
