/** The one error of a write whose condition did not hold (a version conflict, an item that exists or does not). */
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
