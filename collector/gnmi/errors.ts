/** Errors of the gNMI client. Each carries its cause; none ever carries credentials. */
import type { TargetErrorKind } from '../../schemas/vtep-telemetry.js';

export class GnmiError extends Error {
  override readonly name: string = 'GnmiError';
}

/** A path string that is not in the specification's form (gNMI path strings: /elem[key=value]/...). */
export class PathSyntaxError extends GnmiError {
  override readonly name: string = 'PathSyntaxError';
  constructor(
    message: string,
    readonly path: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset} of "${path}"`);
  }
}

/** A notification or value that decodes but makes no sense (skipped and counted, the stream goes on). */
export class MalformedNotificationError extends GnmiError {
  override readonly name: string = 'MalformedNotificationError';
}

/** A stream to a target failed; `kind` is what the events and metrics report. */
export class TargetStreamError extends GnmiError {
  override readonly name: string = 'TargetStreamError';
  constructor(
    message: string,
    readonly kind: TargetErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
