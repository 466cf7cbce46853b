/**
 * Produce (key 0) v8, one record batch per partition (KIP-98 idempotence needs no more).
 *   Produce Request (Version: 8) => transactional_id NULLABLE_STRING acks INT16 timeout_ms INT32 [topic_data]
 *     topic_data => name STRING [partition_data]
 *       partition_data => index INT32 records RECORDS (INT32 size + record batch)
 *   Produce Response (Version: 8) => [responses] throttle_time_ms INT32
 *     responses => name STRING [partition_responses]
 *       partition_responses => index INT32 error_code INT16 base_offset INT64 log_append_time_ms INT64
 *                              log_start_offset INT64 [record_errors] error_message NULLABLE_STRING
 *         record_errors => batch_index INT32 batch_index_error_message NULLABLE_STRING
 */
import type { ApiCall } from './request-header.js';

export interface ProduceRequest {
  acks: -1 | 0 | 1;
  timeoutMs: number;
  topics: { name: string; partitions: { partition: number; batch: Buffer }[] }[];
}

export interface ProducePartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
  baseOffset: bigint;
  errorMessage: string | null;
}

export const Produce: ApiCall<ProduceRequest, ProducePartitionResult[]> = {
  name: 'Produce',
  key: 0,
  version: 8,
  encode(w, req) {
    w.nullableString(null).int16(req.acks).int32(req.timeoutMs);
    w.int32(req.topics.length);
    for (const t of req.topics) {
      w.string(t.name).int32(t.partitions.length);
      for (const p of t.partitions) w.int32(p.partition).int32(p.batch.length).raw(p.batch);
    }
  },
  decode(r) {
    const out: ProducePartitionResult[] = [];
    r.array('responses', 6, (t) => {
      const topic = t.string('name');
      t.array('partition_responses', 36, (p) => {
        const partition = p.int32('index');
        const errorCode = p.int16('error_code');
        const baseOffset = p.int64('base_offset');
        p.int64('log_append_time_ms');
        p.int64('log_start_offset');
        const recordErrors = p.array('record_errors', 6, (e) => `${e.int32('batch_index')}: ${e.nullableString('batch_index_error_message') ?? ''}`);
        const message = p.nullableString('error_message');
        out.push({ topic, partition, errorCode, baseOffset, errorMessage: message ?? (recordErrors.length ? recordErrors.join('; ') : null) });
      });
    });
    r.int32('throttle_time_ms');
    return out;
  },
};
