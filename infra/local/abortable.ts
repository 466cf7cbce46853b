/**
 * Start-up steps that an abort signal (Ctrl-C, SIGTERM) cancels: a cancelled step rejects with StartAbortedError at
 * once, and the caller stops what had started. What the abandoned step still does (a client's retry against a broker
 * being stopped) no longer matters: its result and its error are dropped.
 */
import { StartAbortedError } from './errors.js';

/** Throws StartAbortedError when `signal` has fired (between the steps of a start). */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new StartAbortedError(`${what} cancelled`, { cause: signal.reason });
}

/** `p`, or StartAbortedError as soon as `signal` fires. */
export function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return p;
  throwIfAborted(signal, what);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      // The step goes on unobserved: its later rejection must not surface as an unhandled one.
      p.catch(() => undefined);
      reject(new StartAbortedError(`${what} cancelled`, { cause: signal.reason }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Sleeps `ms`; an abort ends the sleep early (the caller looks at the signal). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
