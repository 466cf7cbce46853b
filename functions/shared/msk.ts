/**
 * The shape of a function fed by an MSK (Amazon Managed Streaming for Apache Kafka) event source mapping, and helpers
 * to read its records. Locally the same events come from infra/local's event-source runner.
 *
 * Event shape (MSKEvent of @types/aws-lambda): `eventSource: 'aws:kafka'`, `eventSourceArn`, `bootstrapServers`, and
 * `records` keyed by `${topic}-${partition}`, each record `{ topic, partition, offset, timestamp, timestampType, key,
 * value, headers }` with key and value base64 and headers as `[{ name: byteArray }]`. One invocation carries records of
 * several partitions (and topics), each partition's records in offset order.
 *
 * Failures, as Lambda's Kafka event source mapping handles them (AWS Lambda developer guide, "Configuring error
 * handling controls for Kafka event sources"; provisioned poller mode, maximum retry attempts default to -1, infinite):
 * - Throwing fails the whole batch; it is retried until it succeeds, so a partition stalls rather than skips.
 * - Partial batch response (ReportBatchItemFailures): `{ batchItemFailures: [{ itemIdentifier }] }` where a Kafka
 *   item identifier is `{ partition: '<topic>-<partition>', offset }` (the key of `event.records` and the record's
 *   offset; Powertools' `KafkaItemIdentifier`). Per partition, the lowest reported offset is the checkpoint: records
 *   before it are committed, it and those after it come again. A partition the response does not name is done — so a
 *   handler must name the first failed record of EVERY partition it failed in, or the others' failures are committed.
 *   An identifier naming no record of the batch (empty, malformed) fails the whole batch. An empty list or no response
 *   means success.
 * Delivery is at-least-once either way: handlers must be idempotent.
 */
import type { Context, MSKEvent, MSKRecord } from 'aws-lambda';

export type { Context, MSKEvent, MSKRecord };

/** A Kafka record in a partial batch response: `partition` is the `${topic}-${partition}` key of `event.records`. */
export interface KafkaItemIdentifier {
  partition: string;
  offset: number;
}

export interface MskBatchResponse {
  batchItemFailures: { itemIdentifier: KafkaItemIdentifier }[];
  /**
   * The partitions (`event.records` keys) whose checkpoint is a deadline hand-back, not a failure: the handler stopped
   * before its deadline and the rest comes again. Lambda reads only batchItemFailures; the local runner re-polls such
   * a partition at once, without back-off, and does not count it as a failure.
   */
  handedBack?: string[];
}

/** Records handed back unapplied because the invocation's time or event budget ran out (a checkpoint, not a failure). */
export class DeadlineHandBackError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`handed back before the deadline: ${reason}`, options);
  }
}

/**
 * The time an invocation has left: the Lambda context's (the local runner passes the same contract), or none known.
 */
export function remainingMs(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): number {
  const ms = context?.getRemainingTimeInMillis?.();
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
}

export type MskHandler = (event: MSKEvent, context?: Context) => Promise<void | MskBatchResponse>;

/** Where a record sits: enough to name it in a partial batch response. */
export interface RecordPosition {
  topic: string;
  partition: number;
  offset: number | string;
}

/** The `event.records` key of a record's partition. */
export function topicPartitionOf(r: { topic: string; partition: number }): string {
  return `${r.topic}-${r.partition}`;
}

export function itemIdentifierOf(r: RecordPosition): KafkaItemIdentifier {
  return { partition: topicPartitionOf(r), offset: Number(r.offset) };
}

/** A short text for logs: `topic-partition@offset`. */
export function describeRecord(r: RecordPosition): string {
  return `${topicPartitionOf(r)}@${r.offset}`;
}

/** Reads an identifier back (the local runner does, as the event source mapping would); undefined when malformed. */
export function parseItemIdentifier(x: unknown): { topic: string; partition: number; offset: number } | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { partition, offset } = x as Partial<Record<keyof KafkaItemIdentifier, unknown>>;
  if (typeof partition !== 'string' || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  const m = /^(.+)-(\d+)$/.exec(partition);
  if (!m) return undefined;
  return { topic: m[1]!, partition: Number(m[2]), offset };
}

/**
 * Collects failed records and answers with the first failed record of each partition (the checkpoint the event source
 * mapping redelivers that partition from). Handlers that do not work record by record (the MAC index groups a batch's
 * records by MAC) report through it; the KafkaBatchProcessor uses it too.
 */
export class PartitionFailures {
  readonly #first = new Map<string, { offset: number; err: unknown }>();
  #count = 0;

  /** Marks records as failed (e.g. every record a failed group of work came from). */
  add(records: Iterable<RecordPosition>, err: unknown): void {
    for (const r of records) {
      this.#count++;
      const key = topicPartitionOf(r);
      const offset = Number(r.offset);
      const prev = this.#first.get(key);
      if (!prev || offset < prev.offset) this.#first.set(key, { offset, err });
    }
  }

  get size(): number {
    return this.#count;
  }

  /** The partitions that failed (hand-backs included), each with its first failed offset and that record's error. */
  partitions(): { partition: string; offset: number; err: unknown }[] {
    return [...this.#first].map(([partition, f]) => ({ partition, ...f }));
  }

  /** `undefined` when nothing failed (success), else one identifier per failed partition. */
  response(): MskBatchResponse | undefined {
    if (this.#first.size === 0) return undefined;
    const handedBack = [...this.#first].filter(([, f]) => f.err instanceof DeadlineHandBackError).map(([p]) => p);
    return {
      batchItemFailures: [...this.#first].map(([partition, f]) => ({ itemIdentifier: { partition, offset: f.offset } })),
      ...(handedBack.length ? { handedBack } : {}),
    };
  }
}

export interface DecodedRecord<T> {
  topic: string;
  partition: number;
  offset: number;
  /** Record timestamp, ms since epoch. */
  timestamp: number;
  key: string | undefined;
  value: T;
}

/** Records of the event in delivery order per partition (partitions one after another). */
export function* recordsOf(event: MSKEvent): Generator<MSKRecord> {
  for (const list of Object.values(event.records)) {
    for (const r of list) yield r;
  }
}

/** The event's records by partition (the `event.records` key), each list in offset order. */
export function partitionsOf(event: MSKEvent): [string, MSKRecord[]][] {
  return Object.entries(event.records);
}

/** Decodes one record's base64 key and value. */
export function decodeRecord<T>(r: MSKRecord, decode: (bytes: Uint8Array) => T): DecodedRecord<T> {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: r.timestamp,
    key: r.key ? Buffer.from(r.key, 'base64').toString('utf8') : undefined,
    value: decode(Buffer.from(r.value, 'base64')),
  };
}

/** Decodes each record's base64 value with `decode`; a record that fails to decode is passed to `onError`. */
export function* decodeRecords<T>(
  event: MSKEvent,
  decode: (bytes: Uint8Array) => T,
  onError?: (record: MSKRecord, err: unknown) => void,
): Generator<DecodedRecord<T>> {
  for (const r of recordsOf(event)) {
    let rec: DecodedRecord<T>;
    try {
      rec = decodeRecord(r, decode);
    } catch (err) {
      if (onError) {
        onError(r, err);
        continue;
      }
      throw err;
    }
    yield rec;
  }
}
