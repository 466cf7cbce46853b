/**
 * The collector's Kafka producer: events are buffered in arrival order and sent in large batches, one batch in flight
 * at a time, so events of one router never overtake each other. The producer is idempotent with acks from all
 * in-sync replicas; a failed batch is retried (the same batch, in order) until Kafka takes it, while the bounded buffer
 * makes the sessions pause their sockets.
 */
import { CompressionTypes, Kafka, Partitioners, logLevel, type Producer, type TopicMessages } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logger.js';
import type { Logger } from 'pino';
import type { CollectorMetrics } from '../metrics.js';
import type { EventPublisher } from './event-publisher.js';

export interface KafkaPublisherOptions {
  brokers?: string[];
  kafka?: Kafka;
  clientId?: string;
  maxBufferedBytes?: number;
  maxBatchMessages?: number;
  lingerMs?: number;
  /** Batches in flight at once (1..5). */
  pipeline?: number;
  logger?: Logger;
  metrics?: CollectorMetrics;
}

interface Pending {
  topic: string;
  key: string;
  value: Buffer;
}

export async function createKafkaPublisher(opts: KafkaPublisherOptions): Promise<EventPublisher> {
  const kafka = opts.kafka ?? new Kafka({ clientId: opts.clientId ?? 'evpn-lens-collector', brokers: opts.brokers ?? [], logLevel: logLevel.WARN, logCreator: kafkaLogCreator(opts.logger) });
  // idempotent + acks=-1 (set on every send): no loss and no duplicates from producer retries.
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const maxBuffered = opts.maxBufferedBytes ?? 32 * 1024 * 1024;
  const maxBatch = opts.maxBatchMessages ?? 20_000;
  const linger = opts.lingerMs ?? 2;
  let queue: Pending[] = [];
  let buffered = 0;
  let sending = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let drainWaiters: (() => void)[] = [];
  let flushWaiters: (() => void)[] = [];

  const notify = () => {
    if (buffered < maxBuffered / 2 && drainWaiters.length) {
      const w = drainWaiters;
      drainWaiters = [];
      for (const f of w) f();
    }
    if (queue.length === 0 && !sending && flushWaiters.length) {
      const w = flushWaiters;
      flushWaiters = [];
      for (const f of w) f();
    }
  };

  // Up to `pipeline` batches in flight: the idempotent producer numbers them per partition in send order, so the broker
  // keeps their order (up to 5 in flight, KIP-98); a batch is retried by kafkajs itself until Kafka takes it.
  const pipeline = Math.max(1, Math.min(opts.pipeline ?? 4, 5));
  let inFlight = 0;
  const sendOne = async (batch: Pending[]): Promise<void> => {
    const byTopic = new Map<string, TopicMessages>();
    for (const p of batch) {
      let t = byTopic.get(p.topic);
      if (!t) byTopic.set(p.topic, (t = { topic: p.topic, messages: [] }));
      t.messages.push({ key: p.key, value: p.value });
    }
    let attempt = 0;
    for (;;) {
      try {
        await producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1, compression: CompressionTypes.None });
        break;
      } catch (err) {
        opts.metrics?.produceErrors.inc();
        const delay = Math.min(5_000, 100 * 2 ** attempt++);
        opts.logger?.warn({ err, events: batch.length, attempt }, `Kafka produce failed; retrying in ${delay} ms (sockets pause while the buffer is full)`);
        if (closed) return;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    let bytes = 0;
    for (const p of batch) bytes += p.value.length + p.key.length;
    buffered -= bytes;
    for (const t of byTopic.values()) opts.metrics?.eventsProduced.inc({ topic: t.topic }, t.messages.length);
    opts.metrics?.bufferedBytes.set(buffered);
  };

  const pump = async (): Promise<void> => {
    if (sending) return;
    sending = true;
    const running = new Set<Promise<void>>();
    while (queue.length > 0 || running.size > 0) {
      while (queue.length > 0 && inFlight < pipeline) {
        const batch = queue.splice(0, maxBatch);
        inFlight++;
        const p: Promise<void> = sendOne(batch).finally(() => {
          inFlight--;
          running.delete(p);
          notify();
        });
        running.add(p);
      }
      if (running.size > 0) await Promise.race(running);
    }
    sending = false;
    notify();
  };

  const schedule = () => {
    if (timer || sending) return;
    timer = setTimeout(() => {
      timer = undefined;
      void pump().then(() => {
        if (queue.length > 0) schedule();
      });
    }, linger);
  };

  const publisher: EventPublisher = {
    enqueue(topic, key, value) {
      const v = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      queue.push({ topic, key, value: v });
      buffered += v.length + key.length;
      opts.metrics?.bufferedBytes.set(buffered);
      if (queue.length >= maxBatch && !sending) {
        if (timer) clearTimeout(timer);
        timer = undefined;
        void pump().then(() => queue.length > 0 && schedule());
      } else schedule();
      return buffered < maxBuffered;
    },
    whenDrained() {
      if (buffered < maxBuffered / 2) return Promise.resolve();
      return new Promise<void>((resolve) => drainWaiters.push(resolve));
    },
    get bufferedBytes() {
      return buffered;
    },
    flush() {
      if (queue.length === 0 && !sending) return Promise.resolve();
      schedule();
      return new Promise<void>((resolve) => flushWaiters.push(resolve));
    },
    async close() {
      await publisher.flush();
      closed = true;
      if (timer) clearTimeout(timer);
      await producer.disconnect();
    },
  };
  return publisher;
}
