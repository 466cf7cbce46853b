/**
 * A bounds-checked cursor over a byte buffer. Every read checks `pos + n > end` first and throws TruncatedError naming
 * the offsets (absolute within the whole message) and what was being read; nothing reads past `end`, even when the
 * underlying buffer goes on (sub-readers share the buffer but not the bound).
 */
import { hexPreview, TruncatedError } from './errors.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
    readonly what = 'message',
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  need(n: number, field: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new TruncatedError(`${this.what}: ${field} needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`, {
        messageType: this.what,
        offset: this.pos,
        hex: hexPreview(this.buf, this.pos),
      });
    }
  }

  u8(field = 'u8'): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }

  u16(field = 'u16'): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field = 'u32'): number {
    this.need(4, field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(field = 'u64'): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  skip(n: number, field = 'skip'): void {
    this.need(n, field);
    this.pos += n;
  }

  /** A copy-free view of the next n bytes. */
  bytes(n: number, field = 'bytes'): Buffer {
    this.need(n, field);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** A reader over the next n bytes, bounded to them; this reader moves past them. */
  sub(n: number, what: string): Reader {
    this.need(n, what);
    const r = new Reader(this.buf, this.pos, this.pos + n, what);
    this.pos += n;
    return r;
  }

  ipv4(field = 'IPv4 address'): string {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
  }

  ipv6(field = 'IPv6 address'): string {
    this.need(16, field);
    const s = formatIpv6(this.buf, this.pos);
    this.pos += 16;
    return s;
  }

  /** 6 bytes as aa:bb:cc:dd:ee:ff. */
  mac(field = 'MAC address'): string {
    this.need(6, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 6;
    return `${HEX[b[p]!]}:${HEX[b[p + 1]!]}:${HEX[b[p + 2]!]}:${HEX[b[p + 3]!]}:${HEX[b[p + 4]!]}:${HEX[b[p + 5]!]}`;
  }

  /** n bytes as colon-separated hex (ESI). */
  hexColon(n: number, field: string): string {
    this.need(n, field);
    let s = HEX[this.buf[this.pos]!]!;
    for (let i = 1; i < n; i++) s += `:${HEX[this.buf[this.pos + i]!]}`;
    this.pos += n;
    return s;
  }

  utf8(n: number, field = 'string'): string {
    this.need(n, field);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/** RFC 5952 text form (lower case, longest zero run compressed, IPv4-mapped kept dotted). */
export function formatIpv6(b: Uint8Array, p: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[p + 2 * i]! << 8) | b[p + 2 * i + 1]!);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return `::ffff:${b[p + 12]}.${b[p + 13]}.${b[p + 14]}.${b[p + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
