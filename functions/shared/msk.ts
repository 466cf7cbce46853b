/**
 * The shape of a function fed by an MSK (Amazon Managed Streaming for Apache Kafka) event source mapping, and helpers
 * to read its records. Locally the same events come from infra/local's event-source runner.
 *
 * Event shape (MSKEvent of @types/aws-lambda): `eventSource: 'aws:kafka'`, `eventSourceArn`, `bootstrapServers`, and
 * `records` keyed by `${topic}-${partition}`, each record `{ topic, partition, offset, timestamp, timestampType, key,
 * value, headers }` with key and value base64 and headers as `[{ name: byteArray }]`.
 *
 * Failures, as Lambda's Kafka event source mapping handles them (AWS Lambda developer guide, "Configuring error
 * handling controls for Kafka event sources"; maximum retry attempts default to -1, infinite):
 * - Throwing fails the whole batch; it is retried as it was until it succeeds, so a partition stalls rather than skips.
 * - Partial batch response (ReportBatchItemFailures): return `{ batchItemFailures: [{ itemIdentifier }] }` naming the
 *   first record not processed as `${topic}-${partition}:${offset}`. Records before it count as done (their offsets are
 *   committed); that record and those after it are delivered again. With several identifiers the lowest offset is the
 *   checkpoint; an identifier naming no record of the batch (empty, malformed) fails the whole batch. An empty list
 *   or no response means success.
 * Delivery is at-least-once either way: handlers must be idempotent.
 */
import type { Context, MSKEvent, MSKRecord } from 'aws-lambda';

export type { Context, MSKEvent, MSKRecord };

export interface MskBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export type MskHandler = (event: MSKEvent, context?: Context) => Promise<void | MskBatchResponse>;

export function recordId(r: { topic: string; partition: number; offset: number | string }): string {
  return `${r.topic}-${r.partition}:${r.offset}`;
}

export function parseRecordId(id: string): { topic: string; partition: number; offset: number } | undefined {
  const m = /^(.+)-(\d+):(\d+)$/.exec(id);
  if (!m) return undefined;
  return { topic: m[1]!, partition: Number(m[2]), offset: Number(m[3]) };
}

export interface DecodedRecord<T> {
  id: string;
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

/** Decodes each record's base64 value with `decode`; a record that fails to decode is passed to `onError`. */
export function* decodeRecords<T>(
  event: MSKEvent,
  decode: (bytes: Uint8Array) => T,
  onError?: (record: MSKRecord, err: unknown) => void,
): Generator<DecodedRecord<T>> {
  for (const r of recordsOf(event)) {
    const bytes = Buffer.from(r.value, 'base64');
    let value: T;
    try {
      value = decode(bytes);
    } catch (err) {
      if (onError) {
        onError(r, err);
        continue;
      }
      throw err;
    }
    yield {
      id: recordId(r),
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key ? Buffer.from(r.key, 'base64').toString('utf8') : undefined,
      value,
    };
  }
}
