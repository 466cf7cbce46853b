/**
 * The collector's default publisher, on its own Kafka wire producer (idempotent, acks=all): events go straight into
 * per-partition record batches, so producing costs about a microsecond per event where kafkajs needs ~15 (bench/,
 * README). The bounded buffer is the producer's unacknowledged bytes: past `maxBufferedBytes` the sessions pause their
 * sockets until half of it is acknowledged (TCP backpressure towards the routers).
 */
import type { Logger } from 'pino';
import type { ConnectionOptions } from 'node:tls';
import type { CollectorMetrics } from '../metrics.js';
import type { EventPublisher } from './event-publisher.js';
import { WireProducer } from './kafka-wire/wire-producer.js';

export interface WirePublisherOptions {
  brokers: string[];
  /** The topics the collector writes (their partition leaders are loaded at start). */
  topics: readonly string[];
  clientId?: string;
  tls?: ConnectionOptions;
  maxBufferedBytes?: number;
  maxBatchBytes?: number;
  lingerMs?: number;
  closeTimeoutMs?: number;
  logger?: Logger;
  metrics?: CollectorMetrics;
}

export async function createWirePublisher(opts: WirePublisherOptions): Promise<EventPublisher> {
  const maxBuffered = opts.maxBufferedBytes ?? 32 * 1024 * 1024;
  let drainWaiters: (() => void)[] = [];
  let producer: WireProducer | undefined;
  let lastErrorLog = 0;
  const notify = () => {
    if (!producer || producer.pendingBytes >= maxBuffered / 2 || drainWaiters.length === 0) return;
    const w = drainWaiters;
    drainWaiters = [];
    for (const f of w) f();
  };
  producer = await WireProducer.connect({
    brokers: opts.brokers,
    topics: opts.topics,
    clientId: opts.clientId,
    tls: opts.tls,
    maxBatchBytes: opts.maxBatchBytes,
    lingerMs: opts.lingerMs,
    onAcked(topic, records) {
      opts.metrics?.eventsProduced.inc({ topic }, records);
      opts.metrics?.bufferedBytes.set(producer!.pendingBytes);
      notify();
    },
    onError(err, d) {
      opts.metrics?.produceErrors.inc();
      if (d.dropped) {
        opts.logger?.error({ err, ...d }, 'Kafka refused a record batch for good (too large or invalid); its events are dropped');
        notify();
        return;
      }
      // One line per second at most: a broker outage fails every partition's batch at once.
      const now = Date.now();
      if (now - lastErrorLog > 1_000) {
        lastErrorLog = now;
        opts.logger?.warn({ err: err.message, ...d }, 'Kafka produce failed; retrying (sockets pause while the buffer is full)');
      }
    },
  });
  const p = producer;
  return {
    enqueue(topic, key, value) {
      p.enqueue(topic, key, value);
      return p.pendingBytes < maxBuffered;
    },
    whenDrained() {
      if (p.pendingBytes < maxBuffered / 2) return Promise.resolve();
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    get bufferedBytes() {
      return p.pendingBytes;
    },
    flush() {
      return p.flush();
    },
    /** Waits (up to `closeTimeoutMs`) for Kafka to take what is buffered, then closes; what is left is logged as lost. */
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([p.flush().then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), opts.closeTimeoutMs ?? 15_000)))]);
      clearTimeout(timer);
      if (timedOut) opts.logger?.error({ events: p.pendingRecords }, 'Kafka did not take the buffered events before shutdown; they are lost');
      p.close();
      if (process.env.EVPNLENS_DEBUG_PRODUCER) console.error('producer stats', p.stats);
      notify();
    },
  };
}
