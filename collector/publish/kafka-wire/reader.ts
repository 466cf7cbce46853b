/** Bounds-checked big-endian reader for Kafka responses: a read past the end throws with the API name and offsets. */
import { KafkaResponseDecodeError } from './errors.js';

export class KafkaReader {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    readonly api: string,
  ) {}

  private need(n: number, field: string): number {
    const p = this.pos;
    if (p + n > this.buf.length) {
      throw new KafkaResponseDecodeError(`${this.api} response: ${field} needs ${n} bytes at offset ${p}, ${this.buf.length - p} left`, { api: this.api, offset: p, hex: this.buf.subarray(p, p + 64).toString('hex') });
    }
    this.pos = p + n;
    return p;
  }

  int8(field: string): number {
    return this.buf.readInt8(this.need(1, field));
  }

  int16(field: string): number {
    return this.buf.readInt16BE(this.need(2, field));
  }

  int32(field: string): number {
    return this.buf.readInt32BE(this.need(4, field));
  }

  int64(field: string): bigint {
    return this.buf.readBigInt64BE(this.need(8, field));
  }

  bool(field: string): boolean {
    return this.int8(field) !== 0;
  }

  string(field: string): string {
    const n = this.int16(field);
    if (n < 0) throw new KafkaResponseDecodeError(`${this.api} response: ${field} is null where a string is required`, { api: this.api, offset: this.pos - 2 });
    const p = this.need(n, field);
    return this.buf.toString('utf8', p, p + n);
  }

  nullableString(field: string): string | null {
    const n = this.int16(field);
    if (n < 0) return null;
    const p = this.need(n, field);
    return this.buf.toString('utf8', p, p + n);
  }

  /** An ARRAY: int32 count (-1 = null, read as empty), each element read by `item`. The count is checked against what is left. */
  array<T>(field: string, minItemBytes: number, item: (r: KafkaReader) => T): T[] {
    const n = this.int32(field);
    if (n <= 0) return [];
    if (n * minItemBytes > this.buf.length - this.pos) {
      throw new KafkaResponseDecodeError(`${this.api} response: ${field} claims ${n} items, only ${this.buf.length - this.pos} bytes left`, { api: this.api, offset: this.pos - 4 });
    }
    const out: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }
}
