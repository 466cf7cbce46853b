/**
 * Encodes VtepSample messages (vtep_sample.proto) for telemetry.vtep.v1. A sample is the fixed fields of its leaf
 * (fabric, device, scope, path, kind, name: encoded once per leaf and cached on it) followed by what changes per sample
 * (timestamps, sequence, value). protobufjs's generated encoder would build a write list and a Long per 64-bit field
 * for every sample; this writes the bytes directly. Proto3: fields at their default are left out, and the order of
 * fields does not matter to a decoder. The generated codec is the reference the unit test compares with.
 */
import type Long from 'long';
import { type ITargetEvent, SampleKind, TargetEvent } from '../../../schemas/events.js';
import type { NormalizedSample, SampleLeaf } from '../normalize/normalizer.js';

const tag = (field: number, wireType: number) => (field << 3) | wireType;
const T = {
  fabric: tag(1, 2),
  device: tag(2, 2),
  timestampNs: tag(3, 0),
  vtep: tag(4, 2),
  vni: tag(5, 0),
  path: tag(6, 2),
  peer: tag(7, 2),
  receiveTimeNs: tag(8, 0),
  networkInstance: tag(9, 2),
  interface: tag(10, 2),
  endpoint: tag(11, 2),
  collectorId: tag(12, 2),
  collectorSeq: tag(13, 0),
  refreshIntervalMs: tag(14, 0),
  kind: tag(20, 0),
  name: tag(21, 2),
  value: tag(22, 0),
  state: tag(23, 2),
  rawJson: tag(24, 2),
  target: tag(25, 2),
} as const;

export interface SampleSource {
  fabric: string;
  device: string;
  collectorId: string;
}

/** A 64-bit unsigned as two 32-bit halves (what Long holds), so no bigint or Long is made per sample. */
export interface U64Halves {
  lo: number;
  hi: number;
}

export function halvesOf(v: bigint): U64Halves {
  return { lo: Number(v & 0xffff_ffffn), hi: Number((v >> 32n) & 0xffff_ffffn) };
}

class Writer {
  buf = Buffer.allocUnsafe(1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(b, 0, 0, this.pos);
      this.buf = b;
    }
  }

  varint32(v: number): void {
    const b = this.buf;
    while (v > 0x7f) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** protobuf varint of a uint64 given as unsigned 32-bit halves. */
  varint64(lo: number, hi: number): void {
    const b = this.buf;
    lo >>>= 0;
    hi >>>= 0;
    while (hi > 0 || lo > 0x7f) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  str(t: number, s: string): void {
    if (!s) return;
    const max = s.length * 3;
    this.ensure(max + 11);
    this.varint32(t);
    if (max < 0x80) {
      const start = this.pos++;
      const n = this.buf.write(s, this.pos, 'utf8');
      this.buf[start] = n;
      this.pos += n;
    } else {
      const n = Buffer.byteLength(s);
      this.varint32(n);
      this.pos += this.buf.write(s, this.pos, 'utf8');
    }
  }

  u32(t: number, v: number): void {
    if (!v) return;
    this.ensure(11);
    this.varint32(t);
    this.varint32(v);
  }

  u64(t: number, lo: number, hi: number): void {
    if (!lo && !hi) return;
    this.ensure(11);
    this.varint32(t);
    this.varint64(lo, hi);
  }

  bytes(t: number, v: Uint8Array): void {
    this.ensure(v.length + 11);
    this.varint32(t);
    this.varint32(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }
}

export class SampleEncoder {
  private readonly w = new Writer();
  private readonly leafWriter = new Writer();

  constructor(private readonly source: SampleSource) {}

  /** The leaf's fixed fields: target, scope, path, kind, name. */
  private leafBytes(leaf: SampleLeaf): Uint8Array {
    if (leaf.encoded) return leaf.encoded;
    const w = this.leafWriter;
    const s = leaf.scope;
    w.str(T.fabric, this.source.fabric);
    w.str(T.device, this.source.device);
    w.str(T.vtep, s.vtep);
    w.u32(T.vni, s.vni);
    w.str(T.path, leaf.path);
    w.str(T.peer, s.peer);
    w.str(T.networkInstance, s.networkInstance);
    w.str(T.interface, s.interface);
    w.str(T.endpoint, s.endpoint);
    w.str(T.collectorId, this.source.collectorId);
    w.u32(T.kind, leaf.kind);
    w.str(T.name, leaf.name);
    const bytes = w.take();
    // DELETED and count samples make their leaves on the fly: only leaves the normalizer caches are worth keeping.
    if (leaf.kind !== SampleKind.SAMPLE_KIND_DELETED) leaf.encoded = bytes;
    return bytes;
  }

  /** `refreshMs`: how often the sample's subscription set resends it (client/refresh-interval.ts), 0 for no promise. */
  encode(sample: NormalizedSample, receiveNs: U64Halves, seq: U64Halves, refreshMs = 0): Buffer {
    const w = this.w;
    const fixed = this.leafBytes(sample.leaf);
    w.ensure(fixed.length + 64);
    w.buf.set(fixed, w.pos);
    w.pos += fixed.length;
    const ts = sample.timestampNs;
    w.u64(T.timestampNs, ts.low, ts.high);
    w.u64(T.receiveTimeNs, receiveNs.lo, receiveNs.hi);
    w.u64(T.collectorSeq, seq.lo, seq.hi);
    w.u32(T.refreshIntervalMs, refreshMs);
    const v = sample.value as Long | undefined;
    if (v) w.u64(T.value, v.low, v.high);
    if (sample.state !== undefined) w.str(T.state, sample.state);
    if (sample.rawJson !== undefined) w.str(T.rawJson, sample.rawJson);
    return w.take();
  }

  /** A TARGET sample: the target's session changed. */
  encodeTargetEvent(event: ITargetEvent, receiveNs: U64Halves, seq: U64Halves): Buffer {
    const w = this.w;
    w.str(T.fabric, this.source.fabric);
    w.str(T.device, this.source.device);
    w.str(T.collectorId, this.source.collectorId);
    w.u32(T.kind, SampleKind.SAMPLE_KIND_TARGET);
    w.u64(T.receiveTimeNs, receiveNs.lo, receiveNs.hi);
    w.u64(T.timestampNs, receiveNs.lo, receiveNs.hi);
    w.u64(T.collectorSeq, seq.lo, seq.hi);
    w.bytes(T.target, TargetEvent.encode(event).finish());
    return w.take();
  }
}
