/** Failures of the local runtime's real parts (Kafka broker, DynamoDB API, prerequisites). */
export class LocalRuntimeError extends Error {
  override readonly name: string = 'LocalRuntimeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A prerequisite program (java, mvn) is missing or too old. */
export class PrerequisiteError extends LocalRuntimeError {
  override readonly name: string = 'PrerequisiteError';
}

/** A handler's partial batch response names a record that is not in its batch: the whole batch failed (as on AWS). */
export class BatchResponseError extends LocalRuntimeError {
  override readonly name: string = 'BatchResponseError';
}

/** A start cancelled by its abort signal (Ctrl-C, SIGTERM): what had started is stopped; not a failure of the install. */
export class StartAbortedError extends LocalRuntimeError {
  override readonly name: string = 'StartAbortedError';
}

/** A port the local stack needs is taken by another process (the message names it). */
export class PortInUseError extends LocalRuntimeError {
  override readonly name: string = 'PortInUseError';
}
