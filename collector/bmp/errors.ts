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
