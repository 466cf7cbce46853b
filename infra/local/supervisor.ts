/**
 * Supervision of what the local stack started as a separate process (the Kafka broker): when it exits without being
 * asked to, it is started again with exponential back-off, and its state names it for /readyz and the logs
 * ("kafka broker down, restarting (attempt 3)"). Clients resume by themselves once it is back: the collector's
 * publisher retries without end, the event-source consumers rejoin (event-source-runner.ts).
 *
 * dynalite runs inside the stack's process: it cannot die without the stack, so it needs no supervisor; an outage of
 * the store (a fault drill) is seen by the readiness probe instead.
 */
import type { Logger } from 'pino';

export interface BackoffMs {
  initial: number;
  max: number;
}

export interface SupervisedState {
  name: string;
  state: 'up' | 'down' | 'stopped';
  /** Restart attempts since the part was last up (0 while up). */
  attempt: number;
  /** Restarts done since the start. */
  restarts: number;
  lastError?: string;
  /** When the part went down (ms since epoch), while down. */
  downSinceMs?: number;
}

export interface Supervisor<T> {
  current(): T;
  status(): SupervisedState;
  /** A one-line account for /readyz; undefined while up. */
  problem(): string | undefined;
  /** Resolves once the part is up (at once when it is). */
  whenUp(): Promise<void>;
  stop(): Promise<void>;
}

export interface SuperviseOptions<T> {
  name: string;
  /** Starts the part (again); the first start's failure is the caller's. */
  start: (restart: boolean) => Promise<T>;
  /** Resolves when the part ended (on its own or by stop). */
  exited: (part: T) => Promise<unknown>;
  stop: (part: T) => Promise<void>;
  backoffMs?: BackoffMs;
  logger: Logger;
}

export const DEFAULT_RESTART_BACKOFF_MS: BackoffMs = { initial: 500, max: 15_000 };

export async function supervise<T>(o: SuperviseOptions<T>): Promise<Supervisor<T>> {
  const backoff = o.backoffMs ?? DEFAULT_RESTART_BACKOFF_MS;
  let part = await o.start(false);
  const st: SupervisedState = { name: o.name, state: 'up', attempt: 0, restarts: 0 };
  let stopping = false;
  let wake: (() => void) | undefined;
  let upWaiters: (() => void)[] = [];

  const watch = (p: T) => {
    void o.exited(p).then(() => {
      if (stopping || p !== part) return;
      st.state = 'down';
      st.downSinceMs = Date.now();
      void restart();
    });
  };

  async function restart(): Promise<void> {
    while (!stopping) {
      st.attempt++;
      const delay = Math.min(backoff.max, backoff.initial * 2 ** (st.attempt - 1));
      o.logger.error({ part: o.name, attempt: st.attempt, delayMs: delay, lastError: st.lastError }, `${o.name} down, restarting (attempt ${st.attempt})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, delay);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = undefined;
      if (stopping) return;
      try {
        part = await o.start(true);
      } catch (err) {
        st.lastError = err instanceof Error ? err.message : String(err);
        continue;
      }
      if (stopping) {
        await o.stop(part).catch(() => undefined);
        return;
      }
      o.logger.warn({ part: o.name, attempt: st.attempt, downMs: Date.now() - (st.downSinceMs ?? Date.now()) }, `${o.name} restarted`);
      st.state = 'up';
      st.attempt = 0;
      st.restarts++;
      st.downSinceMs = undefined;
      st.lastError = undefined;
      for (const w of upWaiters.splice(0)) w();
      watch(part);
      return;
    }
  }

  watch(part);
  return {
    current: () => part,
    status: () => ({ ...st }),
    problem: () => (st.state === 'down' ? `${o.name} down, restarting (attempt ${st.attempt})` : undefined),
    whenUp: () => (st.state === 'up' ? Promise.resolve() : new Promise<void>((r) => upWaiters.push(r))),
    async stop() {
      stopping = true;
      st.state = 'stopped';
      wake?.();
      upWaiters = [];
      await o.stop(part);
    },
  };
}
