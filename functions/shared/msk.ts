/**
 * The shape of a function fed by an MSK (Amazon Managed Streaming for Apache Kafka) event source mapping, and helpers
 * to read its records. Locally the same events come from infra/local's event-source runner.
 *
 * Partial batch response: a handler may return `{ batchItemFailures: [{ itemIdentifier }] }` naming the first record
 * it could not process as `${topic}-${partition}:${offset}`. Records before it count as done (their offsets are
 * committed); that record and those after it on the same partition are delivered again. Throwing fails the whole batch,
 * which is retried as it was, as the MSK event source mapping does.
 */
import type { Context, MSKEvent, MSKRecord } from 'aws-lambda';

export type { MSKEvent, MSKRecord, Context };

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
