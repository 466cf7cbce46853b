/**
 * Packs the events bound for one Kafka partition into one record value, a protobuf batch message whose field 1 is
 * `repeated` (evpnlens.v1.RouteEventBatch): each event is appended as tag 0x0a, varint length, event bytes. Encoded
 * protobuf messages concatenate, so appending is the whole encoder and no event is encoded twice.
 *
 * Why: a Kafka client pays a fixed cost per record (kafkajs ~15 µs of CPU); one record per route caps the collector far
 * below a route reflector's dump rate. Events keep their order within a record and records keep theirs within the
 * partition, which is the order consumers need (per MAC, per router).
 */

export interface SealedRecord {
  topic: string;
  partition: number;
  /** The events' key when they all share one, else null. */
  key: string | null;
  value: Buffer;
  events: number;
  /** What the events' keys and values count towards the publisher's buffer. */
  accounted: number;
}

export interface PartitionBatcherOptions {
  /** Largest record value; an event larger than this gets a record of its own. */
  maxRecordBytes: number;
  maxEventsPerRecord: number;
  onSealed: (record: SealedRecord) => void;
}

/** One partition's record being filled; `events === 0` means none is open. The buffer is reused when its contents are copied out. */
interface Slot {
  topic: string;
  partition: number;
  buf: Buffer | undefined;
  len: number;
  events: number;
  key: string | null | undefined;
  accounted: number;
}

/** Bytes of the field header: tag 0x0a and the length as a varint. */
function headerBytes(n: number): number {
  return n < 0x80 ? 2 : n < 0x4000 ? 3 : n < 0x20_0000 ? 4 : n < 0x1000_0000 ? 5 : 6;
}

function writeHeader(buf: Buffer, off: number, n: number): number {
  buf[off++] = 0x0a;
  while (n >= 0x80) {
    buf[off++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[off++] = n;
  return off;
}

export class PartitionBatcher {
  private readonly slots = new Map<string, Slot[]>();
  private openCount = 0;

  constructor(private readonly opts: PartitionBatcherOptions) {}

  /** Whether any record is open. */
  get hasOpen(): boolean {
    return this.openCount > 0;
  }

  append(topic: string, partition: number, key: string, value: Uint8Array): void {
    const need = headerBytes(value.length) + value.length;
    let list = this.slots.get(topic);
    if (!list) this.slots.set(topic, (list = []));
    let slot = list[partition];
    if (!slot) list[partition] = slot = { topic, partition, buf: undefined, len: 0, events: 0, key: undefined, accounted: 0 };
    if (slot.events > 0 && slot.len + need > slot.buf!.length) this.seal(slot);
    if (slot.events === 0) {
      if (!slot.buf || slot.buf.length < need) slot.buf = Buffer.allocUnsafe(Math.max(this.opts.maxRecordBytes, need));
      this.openCount++;
    }
    const buf = slot.buf!;
    const off = writeHeader(buf, slot.len, value.length);
    buf.set(value, off);
    slot.len = off + value.length;
    slot.events++;
    slot.accounted += value.length + key.length;
    slot.key = slot.key === undefined || slot.key === key ? key : null;
    if (slot.len >= this.opts.maxRecordBytes || slot.events >= this.opts.maxEventsPerRecord) this.seal(slot);
  }

  /** Seals every open record. */
  sealAll(): void {
    if (this.openCount === 0) return;
    for (const list of this.slots.values()) for (const s of list) if (s && s.events > 0) this.seal(s);
  }

  private seal(slot: Slot): void {
    const buf = slot.buf!;
    let value: Buffer;
    if (slot.len * 2 < buf.length) {
      value = Buffer.from(buf.subarray(0, slot.len)); // copied out: the buffer is kept for the next record
    } else {
      value = buf.subarray(0, slot.len); // handed over whole: the next record gets a new buffer
      slot.buf = undefined;
    }
    const sealed: SealedRecord = { topic: slot.topic, partition: slot.partition, key: slot.key ?? null, value, events: slot.events, accounted: slot.accounted };
    slot.len = 0;
    slot.events = 0;
    slot.key = undefined;
    slot.accounted = 0;
    this.openCount--;
    this.opts.onSealed(sealed);
  }
}
