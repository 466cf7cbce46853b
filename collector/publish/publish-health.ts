/**
 * Whether this collector can publish, for its health check (/healthz). Two failures look alike from inside the task
 * and call for opposite answers:
 * - local to the task: its producer has had a request outstanding for `stalledAfterMs` (failing or hanging) while a
 *   fresh client — new connections, new authentication — reaches the cluster. Unhealthy: a replacement task, with a
 *   new producer, publishes again (its routers reconnect to it and dump their tables, RFC 7854 §5).
 * - cluster-wide: the fresh client cannot reach the cluster either. Healthy (degraded): every task would fail the same
 *   way, and replacing them all would cut every BMP session and gain nothing; the sessions pause on backpressure
 *   and resume when Kafka is back. The collector-produce-errors alarm covers this case.
 * The fresh client is tried at most once per `probeEveryMs`, and only while the producer is stalled.
 */
import type { EventPublisher } from './event-publisher.js';

export type PublishState =
  /** Nothing outstanding, or not for long. */
  | { healthy: true; state: 'publishing' }
  | { healthy: true; state: 'kafka-unreachable'; detail: string }
  | { healthy: false; state: 'task-cannot-publish'; detail: string };

export interface PublishHealthOptions {
  publisher: Pick<EventPublisher, 'stalledSince'>;
  /** Resolves when a fresh client reaches the cluster; rejects (or takes longer than probeTimeoutMs) when not. */
  probeCluster: () => Promise<void>;
  /** How long a request may be outstanding before the task is examined (default 15 s). */
  stalledAfterMs?: number;
  probeTimeoutMs?: number;
  probeEveryMs?: number;
  now?: () => number;
}

export class PublishHealth {
  readonly #o: Required<Omit<PublishHealthOptions, 'now'>> & { now: () => number };
  #last: { at: number; reachable: boolean; detail: string } | undefined;
  #probing: Promise<void> | undefined;

  constructor(o: PublishHealthOptions) {
    this.#o = { stalledAfterMs: 15_000, probeTimeoutMs: 5_000, probeEveryMs: 5_000, now: Date.now, ...o };
  }

  async check(): Promise<PublishState> {
    const since = this.#o.publisher.stalledSince?.();
    const now = this.#o.now();
    if (since === undefined || now - since < this.#o.stalledAfterMs) return { healthy: true, state: 'publishing' };
    if (!this.#last || now - this.#last.at >= this.#o.probeEveryMs) await this.#probe();
    const stalled = `a produce request has waited ${Math.round((now - since) / 1000)} s`;
    const last = this.#last!;
    return last.reachable
      ? { healthy: false, state: 'task-cannot-publish', detail: `${stalled}, while a fresh client reaches the cluster` }
      : { healthy: true, state: 'kafka-unreachable', detail: `${stalled}; a fresh client cannot reach the cluster either (${last.detail})` };
  }

  #probe(): Promise<void> {
    this.#probing ??= (async () => {
      let t: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.#o.probeCluster(),
          new Promise<never>((_, reject) => {
            t = setTimeout(() => reject(new Error(`no answer within ${this.#o.probeTimeoutMs} ms`)), this.#o.probeTimeoutMs);
          }),
        ]);
        this.#last = { at: this.#o.now(), reachable: true, detail: 'reached' };
      } catch (err) {
        this.#last = { at: this.#o.now(), reachable: false, detail: err instanceof Error ? err.message : String(err) };
      } finally {
        clearTimeout(t);
        this.#probing = undefined;
      }
    })();
    return this.#probing;
  }
}
