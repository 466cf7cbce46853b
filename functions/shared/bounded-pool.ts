/**
 * Runs work items concurrently, at most `limit` at a time (a round trip each, mostly: on AWS every store request is
 * one), and keeps the pool's occupancy so a bench can report it: the mean number of items in flight while any was.
 */
export interface PoolStats {
  /** Items run. */
  items: number;
  /** Time-weighted sum of items in flight (item·ms) and the time any was in flight (ms): mean occupancy = ratio. */
  busyItemMs: number;
  busyMs: number;
}

export const newPoolStats = (): PoolStats => ({ items: 0, busyItemMs: 0, busyMs: 0 });

/**
 * Calls `fn` for every item, `limit` at a time, started in the items' order. When one throws, no further item starts;
 * the run waits for those in flight (nothing is left running after it returns) and rejects with the first error.
 */
export async function runBounded<T>(items: Iterable<T>, limit: number, fn: (item: T) => Promise<void>, stats?: PoolStats): Promise<void> {
  const it = items[Symbol.iterator]();
  let inFlight = 0;
  let since = performance.now();
  const tick = () => {
    const now = performance.now();
    if (stats && inFlight > 0) {
      stats.busyItemMs += inFlight * (now - since);
      stats.busyMs += now - since;
    }
    since = now;
  };
  let failed: { err: unknown } | undefined;
  const worker = async () => {
    for (let next = it.next(); !failed && !next.done; next = it.next()) {
      tick();
      inFlight++;
      if (stats) stats.items++;
      try {
        await fn(next.value);
      } catch (err) {
        failed ??= { err };
      } finally {
        tick();
        inFlight--;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failed) throw failed.err;
}
