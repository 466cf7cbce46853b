/**
 * Kafka record batch, magic 2 (KIP-98; https://kafka.apache.org/documentation/#recordbatch):
 *   baseOffset INT64 | batchLength INT32 | partitionLeaderEpoch INT32 | magic INT8 (2) | crc UINT32 (CRC-32C of
 *   everything after it) | attributes INT16 | lastOffsetDelta INT32 | baseTimestamp INT64 | maxTimestamp INT64 |
 *   producerId INT64 | producerEpoch INT16 | baseSequence INT32 | records count INT32 | records
 *   Record => length VARINT | attributes INT8 | timestampDelta VARLONG | offsetDelta VARINT | keyLength VARINT | key |
 *             valueLength VARINT | value | headers count VARINT (0)
 *
 * Records are appended to one buffer as they are enqueued (one copy of each value, no per-record objects); the header is
 * written when the batch is sealed, and can be rewritten (new producer id, epoch or sequence) without touching records.
 */
import { crc32c } from '@node-rs/crc32';
import { sizeOfVarint } from './writer.js';

export const RECORD_BATCH_HEADER_BYTES = 61;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

function putVarint(buf: Buffer, pos: number, v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  while (u > 0x7f) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

function putInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / 0x1_0000_0000);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * 0x1_0000_0000, pos + 4);
}

export interface BatchIdentity {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

/** One partition's batch being filled. `append` refuses a record that would pass `maxBytes` (unless the batch is empty). */
export class RecordBatchBuilder {
  private buf: Buffer;
  private pos = RECORD_BATCH_HEADER_BYTES;
  count = 0;
  /** Bytes of event payload (keys + values) held, for the publisher's buffer accounting. */
  payloadBytes = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;

  constructor(
    readonly maxBytes: number,
    initialBytes = 16 * 1024,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(Math.max(initialBytes, 256), maxBytes));
  }

  get sizeBytes(): number {
    return this.pos;
  }

  append(key: string, keyBytes: number, value: Uint8Array, timestamp: number): boolean {
    if (this.count === 0) this.baseTimestamp = this.maxTimestamp = timestamp;
    else if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const tsDelta = Math.max(-0x3fffffff, Math.min(0x3fffffff, timestamp - this.baseTimestamp));
    const body = 1 + sizeOfVarint(tsDelta) + sizeOfVarint(this.count) + sizeOfVarint(keyBytes) + keyBytes + sizeOfVarint(value.length) + value.length + 1;
    const total = sizeOfVarint(body) + body;
    if (this.count > 0 && this.pos + total > this.maxBytes) return false;
    if (this.pos + total > this.buf.length) this.grow(this.pos + total);
    const b = this.buf;
    let p = putVarint(b, this.pos, body);
    b[p++] = 0;
    p = putVarint(b, p, tsDelta);
    p = putVarint(b, p, this.count);
    p = putVarint(b, p, keyBytes);
    p += b.write(key, p, keyBytes, 'latin1');
    p = putVarint(b, p, value.length);
    b.set(value, p);
    p += value.length;
    b[p++] = 0; // no headers
    this.pos = p;
    this.count++;
    this.payloadBytes += keyBytes + value.length;
    return true;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** The finished batch (a view of this builder's buffer, which is not reused). */
  seal(id: BatchIdentity): Buffer {
    const b = this.buf.subarray(0, this.pos);
    b.writeBigInt64BE(0n, 0); // baseOffset: assigned by the broker
    b.writeInt32BE(this.pos - 12, 8); // batchLength: everything after this field
    b.writeInt32BE(-1, 12); // partitionLeaderEpoch: producers send -1
    b[16] = 2; // magic
    b.writeInt16BE(0, ATTRIBUTES_OFFSET); // no compression, CreateTime, not transactional
    b.writeInt32BE(this.count - 1, 23); // lastOffsetDelta
    putInt64(b, 27, this.baseTimestamp);
    putInt64(b, 35, this.maxTimestamp);
    b.writeInt32BE(this.count, 57);
    stampBatch(b, id);
    return b;
  }
}

/** Writes producer id, epoch and base sequence into a sealed batch and recomputes its CRC (KIP-98 idempotence). */
export function stampBatch(batch: Buffer, id: BatchIdentity): void {
  batch.writeBigInt64BE(id.producerId, 43);
  batch.writeInt16BE(id.producerEpoch, 51);
  batch.writeInt32BE(id.baseSequence, 53);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)) >>> 0, CRC_OFFSET);
}

/** Byte length of a key as it will be written: keys are ASCII (MACs, route keys); anything else is UTF-8 encoded first. */
export function isAsciiKey(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return false;
  return true;
}
