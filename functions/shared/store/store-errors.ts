/**
 * The errors of the store port: a failed write condition, an unavailable store, a cursor it did not issue, a key the
 * store cannot hold.
 */
export class ConditionFailedError extends Error {
  override readonly name: string = 'ConditionFailedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The store refused an operation (an outage, a closed store): retriable. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A query's cursor that this store did not issue for this query (a client's forged or foreign cursor). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A key (or an index key built from the item) longer than the store holds: the write is refused alone, never retried. */
export class KeyTooLongError extends Error {
  override readonly name = 'KeyTooLongError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
