/**
 * Big-endian writer for Kafka requests and record batches: a growable buffer, so a request is built in one allocation
 * in the common case. Varints are zig-zag encoded as in Protocol Buffers (Kafka's record format, KIP-98).
 */
export class KafkaWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(n: number): this {
    if (this.pos + n <= this.buf.length) return this;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    return this;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** An int64 from a number known to be a safe integer (timestamps in ms). */
  int64n(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / 0x1_0000_0000);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * 0x1_0000_0000, this.pos + 4);
    this.pos += 8;
    return this;
  }

  /** Zig-zag varint of a 32-bit signed value. */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  uvarint(v: number): this {
    this.ensure(5);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** Kafka STRING: int16 length + UTF-8. */
  string(s: string): this {
    const n = Buffer.byteLength(s);
    this.int16(n).ensure(n);
    this.pos += this.buf.write(s, this.pos);
    return this;
  }

  /** Kafka NULLABLE_STRING: -1 for null. */
  nullableString(s: string | null): this {
    return s === null ? this.int16(-1) : this.string(s);
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Bytes a zig-zag varint of `v` takes. */
export function sizeOfVarint(v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  let n = 1;
  while (u > 0x7f) {
    u >>>= 7;
    n++;
  }
  return n;
}
