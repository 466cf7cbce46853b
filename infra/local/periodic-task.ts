/**
 * A periodic task of the local stack (infra/catalog/schedules.ts on a timer), never running twice at once: a tick
 * that finds the previous run still going is skipped. A bare setInterval started a run every period whatever the last
 * one was doing, so under load (a health tick reading a fabric of 20,000 flapping MACs' alerts, an expiry sweep over
 * the whole table) runs piled up, each holding what it had read: drill 6's heap grew by ~1 GB a minute.
 */
export interface PeriodicTask {
  /** Ticks skipped because the previous run had not finished. */
  readonly skipped: number;
  stop(): void;
}

export function everyPeriod(run: () => Promise<unknown>, periodMs: number, onError: (err: unknown) => void): PeriodicTask {
  let running = false;
  let skipped = 0;
  const timer = setInterval(() => {
    if (running) {
      skipped++;
      return;
    }
    running = true;
    run()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, periodMs);
  timer.unref();
  return {
    get skipped() {
      return skipped;
    },
    stop: () => clearInterval(timer),
  };
}
