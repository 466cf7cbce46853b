/**
 * An EventPublisher that keeps what it is given, for unit tests of the collector's session logic (the Kafka publisher
 * itself is exercised against the real broker in the integration tests). `hold()` makes it report a full buffer until
 * `release()`, to test backpressure. With `epochs`, it also appends acknowledged records as a broker would (offsets
 * counted per topic and key, as if every key had a partition of its own), and can be made to refuse them for a while.
 */
import type { EventPublisher } from '../../collector/index.js';
import { JSON_OPTIONS, RouteEvent, SessionEvent, VtepSample } from '../../schemas/events.js';
import { TOPICS } from '../../schemas/topics.js';

export class RecordingPublisher implements EventPublisher {
  readonly events: { topic: string; key: string; value: Record<string, any> }[] = [];
  private held = false;
  private waiters: (() => void)[] = [];
  bufferedBytes = 0;
  /** Acknowledged appends refused (Kafka down) while true. */
  refuseAppends = false;
  private readonly offsets = new Map<string, bigint>();

  constructor(o: { epochs?: boolean } = {}) {
    if (!o.epochs) this.appendAcked = undefined;
  }

  appendAcked?: (topic: string, key: string, value: Uint8Array) => Promise<bigint> = async (topic, key, value) => {
    if (this.refuseAppends) throw new Error('broker not available');
    this.enqueue(topic, key, value);
    const k = `${topic}|${key}`;
    const offset = this.offsets.get(k) ?? 0n;
    this.offsets.set(k, offset + 1n);
    return offset;
  };

  enqueue(topic: string, key: string, value: Uint8Array): boolean {
    const codec = topic === TOPICS.sessions ? SessionEvent : topic === TOPICS.vtepTelemetry ? VtepSample : RouteEvent;
    this.events.push({ topic, key, value: (codec as typeof RouteEvent).toObject((codec as typeof RouteEvent).decode(value), JSON_OPTIONS) });
    if (this.held) this.bufferedBytes += value.length;
    return !this.held;
  }
  whenDrained(): Promise<void> {
    return this.held ? new Promise((r) => this.waiters.push(r)) : Promise.resolve();
  }
  hold(bytes: number): void {
    this.held = true;
    this.bufferedBytes = bytes;
  }
  release(): void {
    this.held = false;
    this.bufferedBytes = 0;
    for (const w of this.waiters.splice(0)) w();
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
