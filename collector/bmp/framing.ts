/**
 * Frames BMP messages out of a TCP byte stream. A small state machine: wait for the 6-byte common header, check the
 * version and the length (≥ 6 and ≤ maxMessageBytes) BEFORE buffering the body, then wait for the whole message.
 * Chunks are kept in a list and copied once per message, so a message split over many reads costs no quadratic copying;
 * a message wholly inside one chunk is returned as a view of it.
 */
import { FramingError, hexPreview } from './errors.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION } from './messages/common-header.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export class BmpFrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the message being assembled, once its header was read and checked. */
  private expected = -1;
  /** Stream offset of the next unconsumed byte (for error reports). */
  private consumed = 0;

  constructor(readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Length of the message being assembled, when its header arrived (for reports of a stream cut mid-message). */
  get expectedBytes(): number | undefined {
    return this.expected < 0 ? undefined : this.expected;
  }

  /** Adds a chunk; returns the whole messages it completes, in order. Throws FramingError on a bad header. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    if (chunk.length === 0) return out;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < BMP_COMMON_HEADER_LENGTH) break;
        const head = this.peek(BMP_COMMON_HEADER_LENGTH);
        const version = head[0]!;
        const length = head.readUInt32BE(1);
        if (version !== BMP_VERSION) {
          throw new FramingError(`BMP version ${version} at stream offset ${this.consumed}, expected 3`, {
            messageType: 'BMP',
            offset: this.consumed,
            hex: hexPreview(head),
          });
        }
        if (length < BMP_COMMON_HEADER_LENGTH || length > this.maxMessageBytes) {
          throw new FramingError(`BMP message length ${length} at stream offset ${this.consumed} is outside 6..${this.maxMessageBytes}`, {
            messageType: 'BMP',
            offset: this.consumed,
            hex: hexPreview(head),
          });
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      out.push(this.take(this.expected));
      this.consumed += this.expected;
      this.expected = -1;
    }
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks, Math.min(this.buffered, Math.max(n, 0))).subarray(0, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const want = n - off;
      if (c.length <= want) {
        c.copy(out, off);
        off += c.length;
        this.chunks.shift();
      } else {
        c.copy(out, off, 0, want);
        this.chunks[0] = c.subarray(want);
        off += want;
      }
    }
    return out;
  }
}
