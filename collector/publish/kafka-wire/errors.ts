/** Failures of the collector's Kafka wire producer. Every class carries `cause`; `retriable` says whether a resend may work. */
export class KafkaWireError extends Error {
  override readonly name: string = 'KafkaWireError';
  constructor(
    message: string,
    readonly retriable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A response cut short or impossible: the connection is closed, its requests are retried elsewhere. */
export class KafkaResponseDecodeError extends KafkaWireError {
  override readonly name: string = 'KafkaResponseDecodeError';
  constructor(message: string, readonly context: { api: string; offset: number; hex?: string }, options?: { cause?: unknown }) {
    super(message, true, options);
  }
}

/** The TCP/TLS connection to a broker failed or closed with requests in flight. */
export class KafkaConnectionError extends KafkaWireError {
  override readonly name: string = 'KafkaConnectionError';
  constructor(message: string, readonly broker: string, options?: { cause?: unknown }) {
    super(message, true, options);
  }
}

/** A Kafka error code in a response (https://kafka.apache.org/protocol#protocol_error_codes). */
export class KafkaProtocolError extends KafkaWireError {
  override readonly name: string = 'KafkaProtocolError';
  constructor(readonly code: number, readonly api: string, detail?: string | null) {
    const known = ERROR_CODES[code];
    super(`${api}: Kafka error ${code} ${known?.[0] ?? 'UNKNOWN'}${detail ? ` (${detail})` : ''}`, known?.[1] ?? false);
  }
}

/** The error codes this producer meets: name and whether the same request may succeed when resent. */
export const ERROR_CODES: Record<number, readonly [string, boolean]> = {
  [-1]: ['UNKNOWN_SERVER_ERROR', false],
  1: ['OFFSET_OUT_OF_RANGE', false],
  2: ['CORRUPT_MESSAGE', true],
  3: ['UNKNOWN_TOPIC_OR_PARTITION', true],
  5: ['LEADER_NOT_AVAILABLE', true],
  6: ['NOT_LEADER_OR_FOLLOWER', true],
  7: ['REQUEST_TIMED_OUT', true],
  10: ['MESSAGE_TOO_LARGE', false],
  13: ['NETWORK_EXCEPTION', true],
  14: ['COORDINATOR_LOAD_IN_PROGRESS', true],
  15: ['COORDINATOR_NOT_AVAILABLE', true],
  18: ['RECORD_LIST_TOO_LARGE', false],
  19: ['NOT_ENOUGH_REPLICAS', true],
  20: ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', true],
  29: ['TOPIC_AUTHORIZATION_FAILED', false],
  31: ['CLUSTER_AUTHORIZATION_FAILED', false],
  35: ['UNSUPPORTED_VERSION', false],
  45: ['OUT_OF_ORDER_SEQUENCE_NUMBER', false],
  46: ['DUPLICATE_SEQUENCE_NUMBER', false],
  47: ['INVALID_PRODUCER_EPOCH', false],
  56: ['KAFKA_STORAGE_ERROR', true],
  59: ['UNKNOWN_PRODUCER_ID', false],
  74: ['FENCED_LEADER_EPOCH', true],
  75: ['UNKNOWN_LEADER_EPOCH', true],
  87: ['INVALID_RECORD', false],
  89: ['THROTTLING_QUOTA_EXCEEDED', true],
};

export const KafkaErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NOT_LEADER_OR_FOLLOWER: 6,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  UNKNOWN_PRODUCER_ID: 59,
} as const;

export function isRetriable(code: number): boolean {
  return ERROR_CODES[code]?.[1] ?? false;
}
