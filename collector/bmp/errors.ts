/** Decode failures. Each carries where it happened and at most 64 bytes of the offending bytes as hex. */
export class DecodeError extends Error {
  override readonly name: string = 'DecodeError';
  constructor(
    message: string,
    readonly context: { messageType?: string; offset?: number; hex?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A read past the end of the (sub-)buffer. */
export class TruncatedError extends DecodeError {
  override readonly name: string = 'TruncatedError';
}

/** Bytes that are there but say something impossible (bad length, bad version, bad marker). */
export class MalformedError extends DecodeError {
  override readonly name: string = 'MalformedError';
}

/** The TCP stream cannot be framed any further: the session must close. */
export class FramingError extends DecodeError {
  override readonly name: string = 'FramingError';
}

export function hexPreview(buf: Uint8Array, start = 0, max = 64): string {
  const end = Math.min(buf.length, start + max);
  return Buffer.from(buf.buffer, buf.byteOffset + Math.max(0, start), Math.max(0, end - start)).toString('hex');
}

/**
 * RFC 7606 §2 error handling classes, weakest first (GoBGP's ErrorHandling): what a malformed UPDATE does to the
 * routes it carries. The numeric order is the strength: when an UPDATE has several errors the strongest applies.
 */
export const ErrorHandling = {
  /** The attribute is ignored; the UPDATE is otherwise used. */
  AttributeDiscard: 1,
  /** The UPDATE's NLRI are withdrawn (the advertisement cannot be trusted); its MP_UNREACH_NLRI is still honoured. */
  TreatAsWithdraw: 2,
  /** The AFI/SAFI of the peer is disabled: every route of it withdrawn until the session restarts. */
  AfiSafiDisable: 3,
  /** The BGP session would be reset: the UPDATE cannot be parsed at all, and the peer's routes are withdrawn. */
  SessionReset: 4,
} as const;
export type ErrorHandling = (typeof ErrorHandling)[keyof typeof ErrorHandling];

/** Metric label and log name of each class. */
export const ERROR_HANDLING_NAMES: Record<ErrorHandling, string> = {
  [ErrorHandling.AttributeDiscard]: 'attribute-discard',
  [ErrorHandling.TreatAsWithdraw]: 'treat-as-withdraw',
  [ErrorHandling.AfiSafiDisable]: 'afi-safi-disable',
  [ErrorHandling.SessionReset]: 'session-reset',
};

/** A malformed part of an UPDATE, with the RFC 7606 class it calls for and the path attribute it was found in. */
export class UpdateError extends DecodeError {
  override readonly name: string = 'UpdateError';
  constructor(
    message: string,
    readonly handling: ErrorHandling,
    readonly attributeType: number | undefined,
    context: DecodeError['context'] = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}
