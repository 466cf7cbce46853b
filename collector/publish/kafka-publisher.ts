/**
 * The collector's Kafka publisher, on kafkajs: an idempotent producer with acks from all in-sync replicas.
 *
 * Events of a batched topic (evpn.routes.v1) are packed per partition into batch records (partition-batcher.ts): the
 * partition is the one kafkajs's default partitioner (murmur2 of the key, as the Java client) gives the event's key, so
 * every event lands where a record keyed by it would, and one MAC's events from every fabric share a partition in
 * order. Other topics get one record per event, keyed.
 *
 * Order and no loss: one produce request is in flight at a time, so records of a partition are written in the order
 * they were sealed; kafkajs retries a failed request itself (idempotent: without end), and should it still give up the
 * same request is sent again. While a request is in flight the next one fills, which is the batching window under
 * load; when idle, a record waits at most `lingerMs`. The bounded buffer (event bytes not yet acknowledged) is the one
 * owner of backpressure: past `highWaterBytes` `enqueue` returns false and the BMP sessions pause their sockets, until
 * acknowledgements bring it below `lowWaterBytes` (buffer-watermarks.ts).
 */
import { type Admin, CompressionTypes, Kafka, logLevel, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS } from '../../schemas/topics.js';
import type { CollectorMetrics } from '../metrics.js';
import { BufferWatermarks } from './buffer-watermarks.js';
import type { EventPublisher } from './event-publisher.js';
import { kafkaLogCreator } from './kafka-logger.js';
import { partitionOfKey } from './murmur2.js';
import { PartitionBatcher, type SealedRecord } from './partition-batcher.js';

export interface KafkaPublisherOptions {
  brokers?: string[];
  kafka?: Kafka;
  clientId?: string;
  /** Topics whose events are packed into per-partition batch records (their value type is a batch message): evpn.routes.v1 and telemetry.vtep.v1 by default. */
  batchedTopics?: readonly string[];
  /** Event bytes accepted and not yet acknowledged at which `enqueue` asks the sessions to pause. */
  highWaterBytes?: number;
  /** ... and below which they resume (distinct: hysteresis). */
  lowWaterBytes?: number;
  /** Largest batch record value (keep well below the topics' max.message.bytes, 1 MiB by default). */
  maxRecordBytes?: number;
  maxEventsPerRecord?: number;
  /** Bytes of records per partition in one produce request (kafkajs writes them as one record batch). */
  maxPartitionBytesPerRequest?: number;
  /** How long an idle publisher lets a record fill before sending it. */
  lingerMs?: number;
  /** How often the batched topics' partition counts are read again. */
  metadataMaxAgeMs?: number;
  /** Record batch compression: kafkajs's built-in gzip (zlib, off the main thread) or none. */
  compression?: 'none' | 'gzip';
  /** How long `close` waits for Kafka to take what is buffered. */
  closeTimeoutMs?: number;
  logger?: Logger;
  metrics?: CollectorMetrics;
}

/** A record waiting to be produced. */
interface Outgoing {
  topic: string;
  partition: number | undefined;
  key: string | null;
  value: Buffer;
  events: number;
  accounted: number;
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/** Whether kafkajs failed because the broker will never take these records (too large or invalid). */
function refusedForGood(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { type?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof e.type === 'string' && TOO_LARGE.has(e.type)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => refusedForGood(x, depth + 1))) return true;
  return refusedForGood(e.cause, depth + 1) || refusedForGood(e.originalError, depth + 1);
}

export async function createKafkaPublisher(opts: KafkaPublisherOptions): Promise<EventPublisher> {
  const kafka =
    opts.kafka ??
    new Kafka({
      clientId: opts.clientId ?? 'evpn-lens-collector',
      brokers: opts.brokers ?? [],
      logLevel: logLevel.WARN,
      logCreator: kafkaLogCreator(opts.logger),
    });
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const buffer = new BufferWatermarks(opts.highWaterBytes, opts.lowWaterBytes);
  const linger = opts.lingerMs ?? 5;
  const maxPartitionBytes = opts.maxPartitionBytesPerRequest ?? 900_000;
  const compression = opts.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const batchedTopics = new Set(opts.batchedTopics ?? [TOPICS.routes, TOPICS.vtepTelemetry]);

  // Partition counts of the batched topics; read again now and then so that a topic given more partitions is used
  // (keys then move, as they do with any keyed producer). A batched topic that does not exist fails the start.
  const admin: Admin = kafka.admin();
  await admin.connect();
  await producer.connect();
  const partitionsOf = new Map<string, number>();
  const readMetadata = async () => {
    const md = await admin.fetchTopicMetadata({ topics: [...batchedTopics] });
    for (const t of md.topics) if (t.partitions.length > 0) partitionsOf.set(t.name, t.partitions.length);
  };
  await readMetadata();
  const metadataTimer = setInterval(() => {
    readMetadata().catch((err: unknown) => opts.logger?.warn({ err }, 'could not refresh Kafka topic metadata; keeping the partitions known'));
  }, opts.metadataMaxAgeMs ?? 300_000);
  metadataTimer.unref();
  const partitionOf = (topic: string, key: string): number => partitionOfKey(key, partitionsOf.get(topic)!);

  let queue: Outgoing[] = [];
  let sending = false;
  let timer: NodeJS.Timeout | undefined;
  let flushWaiters: (() => void)[] = [];
  let gaveUp = false; // close() timed out: stop retrying
  let closed = false; // close() called: new events are refused, nothing is retried once Kafka is disconnected
  let wakeRetry: (() => void) | undefined; // ends a retry's wait early when close() gives up

  const batcher = new PartitionBatcher({
    maxRecordBytes: opts.maxRecordBytes ?? 256 * 1024,
    maxEventsPerRecord: opts.maxEventsPerRecord ?? 2_000,
    onSealed: (r: SealedRecord) => {
      queue.push(r);
      if (!sending) void pump(); // a full record goes out now
    },
  });

  const notify = () => {
    if (queue.length === 0 && !batcher.hasOpen && !sending && flushWaiters.length) {
      const w = flushWaiters;
      flushWaiters = [];
      for (const f of w) f();
    }
  };

  /** The next request: records in queue order, stopping before one that would overfill its partition's share. */
  const takeRequest = (): Outgoing[] => {
    const perPartition = new Map<string, number>();
    let n = 0;
    for (; n < queue.length; n++) {
      const r = queue[n]!;
      const k = `${r.topic}|${r.partition ?? `k${r.key}`}`;
      const bytes = (perPartition.get(k) ?? 0) + r.value.length;
      if (n > 0 && bytes > maxPartitionBytes) break;
      perPartition.set(k, bytes);
    }
    const taken = queue.slice(0, n);
    queue = queue.slice(n);
    return taken;
  };

  const produce = async (records: Outgoing[]): Promise<void> => {
    const byTopic = new Map<string, TopicMessages>();
    for (const r of records) {
      let t = byTopic.get(r.topic);
      if (!t) byTopic.set(r.topic, (t = { topic: r.topic, messages: [] }));
      const m: Message = { key: r.key, value: r.value };
      if (r.partition !== undefined) m.partition = r.partition;
      t.messages.push(m);
    }
    await producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1, compression });
  };

  const acknowledged = (records: Outgoing[]) => {
    const byTopic = new Map<string, { events: number; records: number }>();
    for (const r of records) {
      buffer.remove(r.accounted);
      const t = byTopic.get(r.topic) ?? { events: 0, records: 0 };
      t.events += r.events;
      t.records++;
      byTopic.set(r.topic, t);
    }
    for (const [topic, t] of byTopic) {
      opts.metrics?.eventsProduced.inc({ topic }, t.events);
      opts.metrics?.recordsProduced.inc({ topic }, t.records);
    }
    opts.metrics?.bufferedBytes.set(buffer.bufferedBytes);
  };

  let stalledSince: number | undefined; // the request in hand was first tried then (cleared once Kafka takes it)

  /** Sends records until Kafka takes them; only records it refuses for good (too large, invalid) are dropped. */
  const sendUntilTaken = async (records: Outgoing[]): Promise<void> => {
    stalledSince ??= Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await produce(records);
        acknowledged(records);
        stalledSince = undefined;
        return;
      } catch (err) {
        opts.metrics?.produceErrors.inc();
        if (refusedForGood(err)) {
          if (records.length > 1) {
            for (const r of records) await sendUntilTaken([r]); // find the one Kafka refuses; keep partition order
            return;
          }
          const r = records[0]!;
          opts.logger?.error(
            { err, topic: r.topic, partition: r.partition, events: r.events, bytes: r.value.length },
            'Kafka refused a record for good (too large or invalid); its events are dropped',
          );
          opts.metrics?.eventsDropped.inc({ topic: r.topic }, r.events);
          buffer.remove(r.accounted);
          stalledSince = undefined;
          return;
        }
        if (gaveUp) return;
        const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
        opts.logger?.warn(
          { err: err instanceof Error ? err.message : String(err), records: records.length, attempt },
          `Kafka produce failed; retrying in ${delay} ms (sockets pause while the buffer is full)`,
        );
        await new Promise<void>((r) => {
          const t = setTimeout(r, delay);
          wakeRetry = () => {
            clearTimeout(t);
            r();
          };
        });
        wakeRetry = undefined;
      }
    }
  };

  async function pump(): Promise<void> {
    if (sending) return;
    sending = true;
    if (timer) clearTimeout(timer);
    timer = undefined;
    try {
      for (;;) {
        batcher.sealAll(); // what filled while the last request was in flight
        if (queue.length === 0 || gaveUp) break;
        await sendUntilTaken(takeRequest());
        notify();
      }
    } finally {
      sending = false;
      notify();
    }
  }

  const schedule = () => {
    if (timer || sending) return;
    timer = setTimeout(() => {
      timer = undefined;
      void pump();
    }, linger);
  };

  let closing: Promise<void> | undefined;
  const publisher: EventPublisher = {
    enqueue(topic, key, value) {
      if (closed) {
        // A session or timer still reporting during shutdown: nothing may reopen the producer or retry against a broker
        // that is going away, so the event is counted as dropped.
        opts.metrics?.eventsDropped.inc({ topic }, 1);
        return true;
      }
      const open = buffer.add(value.length + key.length);
      if (batchedTopics.has(topic) && partitionsOf.has(topic)) {
        batcher.append(topic, partitionOf(topic, key), key, value);
      } else {
        const v = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        queue.push({ topic, partition: undefined, key, value: v, events: 1, accounted: value.length + key.length });
      }
      opts.metrics?.bufferedBytes.set(buffer.bufferedBytes);
      schedule();
      return open;
    },
    whenDrained() {
      return buffer.whenBelowLowWater();
    },
    async appendAcked(topic, key, value) {
      if (closed) throw new Error('the Kafka publisher is closed');
      const v = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      const [md] = await producer.send({ topic, acks: -1, compression, messages: [{ key, value: v }] });
      if (!md?.baseOffset) throw new Error(`Kafka acknowledged no offset for ${topic}`);
      opts.metrics?.eventsProduced.inc({ topic }, 1);
      opts.metrics?.recordsProduced.inc({ topic }, 1);
      return BigInt(md.baseOffset);
    },
    get bufferedBytes() {
      return buffer.bufferedBytes;
    },
    stalledSince: () => stalledSince,
    flush() {
      if (queue.length === 0 && !batcher.hasOpen && !sending) return Promise.resolve();
      const done = new Promise<void>((resolve) => flushWaiters.push(resolve));
      void pump();
      return done;
    },
    /** Waits (up to `closeTimeoutMs`) for Kafka to take what is buffered, then disconnects; what is left is logged as lost. */
    close() {
      closing ??= (async () => {
        closed = true;
        clearInterval(metadataTimer);
        let t: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([
          publisher.flush().then(() => false),
          new Promise<boolean>((r) => (t = setTimeout(() => r(true), opts.closeTimeoutMs ?? 15_000))),
        ]);
        clearTimeout(t);
        gaveUp = timedOut;
        wakeRetry?.();
        if (timedOut) opts.logger?.error({ bufferedBytes: buffer.bufferedBytes }, 'Kafka did not take the buffered events before shutdown; they are lost');
        if (timer) clearTimeout(timer);
        await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
      })();
      return closing;
    },
  };
  return publisher;
}
