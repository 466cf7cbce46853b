/**
 * InitProducerId (key 22) v1: a producer id and epoch for the idempotent producer (KIP-98); no transactional id.
 *   InitProducerId Request (Version: 1) => transactional_id NULLABLE_STRING transaction_timeout_ms INT32
 *   InitProducerId Response (Version: 1) => throttle_time_ms INT32 error_code INT16 producer_id INT64 producer_epoch INT16
 */
import type { ApiCall } from './request-header.js';

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export const InitProducerId: ApiCall<Record<string, never>, InitProducerIdResponse> = {
  name: 'InitProducerId',
  key: 22,
  version: 1,
  encode(w) {
    w.nullableString(null).int32(60_000);
  },
  decode(r) {
    r.int32('throttle_time_ms');
    return { errorCode: r.int16('error_code'), producerId: r.int64('producer_id'), producerEpoch: r.int16('producer_epoch') };
  },
};
