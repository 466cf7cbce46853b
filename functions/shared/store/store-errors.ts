/** The errors of the store port: a failed write condition, an unavailable store, a cursor it did not issue. */
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
