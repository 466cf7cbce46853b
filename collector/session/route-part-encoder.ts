/**
 * Encodes the per-route part of a RouteEvent (route_event.proto fields 4, 5, 7, 10, 11, 20–40) straight into a
 * reused buffer. It is the one hot encoder of the collector: protobufjs's generated encoder builds a list of write
 * operations and a Long per 64-bit field for every event, which cost as much as decoding the route. Proto3 rules:
 * fields at their default are left out, repeated scalars are packed. The generated codec stays the reference: the unit
 * tests decode what this writes with it and compare with the generated encoder's output.
 */
import type { EvpnRoute } from '../bmp/types.js';

/** Wire types (protobuf encoding): 0 varint, 2 length-delimited. */
const tag = (field: number, wireType: number) => (field << 3) | wireType;

const T = {
  pathId: tag(4, 0),
  timestampUs: tag(5, 0),
  collectorSeq: tag(7, 0),
  action: tag(10, 0),
  reason: tag(11, 0),
  routeType: tag(20, 0),
  routeKey: tag(21, 2),
  rd: tag(22, 2),
  esi: tag(23, 2),
  esiType: tag(24, 0),
  ethernetTag: tag(25, 0),
  mac: tag(26, 2),
  ip: tag(27, 2),
  labels: tag(28, 2),
  vni: tag(29, 0),
  l3Vni: tag(30, 0),
  mplsLabels: tag(31, 2),
  originatorIp: tag(32, 2),
  ipPrefix: tag(33, 2),
  gatewayIp: tag(34, 2),
  rawNlri: tag(35, 2),
  encapsulation: tag(36, 0),
  vniSource: tag(37, 0),
  srv6Sid: tag(38, 2),
  evi: tag(39, 2),
  nextHop: tag(40, 2),
} as const;

/** One route event's own fields: the route, what happened, and its labels' meaning (route-labels.ts). */
export interface RoutePart {
  route: EvpnRoute;
  action: number;
  reason: number;
  seq: bigint;
  timestampUs: bigint;
  vni: number;
  l3Vni: number;
  /** 20-bit MPLS labels (empty unless the route is MPLS-encapsulated). */
  mplsLabels: number[];
  encapsulation: number;
  vniSource: number;
  srv6Sid: string;
  evi: string;
  nextHop: string;
}

export class RoutePartEncoder {
  private buf = Buffer.allocUnsafe(4096);
  private pos = 0;

  /** The encoded part: a view into this encoder's buffer, valid until the next call. */
  encode(p: RoutePart): Buffer {
    const r = p.route;
    // Worst case: every string at 3 bytes per UTF-16 unit plus its tag and length, and the fixed fields.
    const bound =
      128 +
      3 *
        (r.key.length +
          r.rd.length +
          r.esi.length +
          r.mac.length +
          r.ip.length +
          r.originatorIp.length +
          r.prefix.length +
          r.gatewayIp.length +
          p.srv6Sid.length +
          p.evi.length +
          p.nextHop.length) +
      16 * (r.labels.length + p.mplsLabels.length) +
      (r.raw?.length ?? 0) +
      16 * 12;
    if (this.buf.length < bound) this.buf = Buffer.allocUnsafe(bound * 2);
    this.pos = 0;
    this.u32(T.pathId, r.pathId);
    this.u64(T.timestampUs, p.timestampUs);
    this.u64(T.collectorSeq, p.seq);
    this.u32(T.action, p.action);
    this.u32(T.reason, p.reason);
    this.u32(T.routeType, r.routeType);
    this.str(T.routeKey, r.key);
    this.str(T.rd, r.rd);
    this.str(T.esi, r.esi);
    this.u32(T.esiType, r.esiType);
    this.u32(T.ethernetTag, r.ethernetTag);
    this.str(T.mac, r.mac);
    this.str(T.ip, r.ip);
    this.packed(T.labels, r.labels, 0);
    this.u32(T.vni, p.vni);
    this.u32(T.l3Vni, p.l3Vni);
    this.packed(T.mplsLabels, p.mplsLabels, 0);
    this.str(T.originatorIp, r.originatorIp);
    this.str(T.ipPrefix, r.prefix);
    this.str(T.gatewayIp, r.gatewayIp);
    if (r.raw && r.raw.length > 0) {
      this.varint(T.rawNlri);
      this.varint(r.raw.length);
      this.buf.set(r.raw, this.pos);
      this.pos += r.raw.length;
    }
    this.u32(T.encapsulation, p.encapsulation);
    this.u32(T.vniSource, p.vniSource);
    this.str(T.srv6Sid, p.srv6Sid);
    this.str(T.evi, p.evi);
    this.str(T.nextHop, p.nextHop);
    return this.buf.subarray(0, this.pos);
  }

  private varint(v: number): void {
    const b = this.buf;
    while (v > 0x7f) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }

  private u32(t: number, v: number): void {
    if (v === 0) return;
    this.varint(t);
    this.varint(v >>> 0);
  }

  private u64(t: number, v: bigint): void {
    if (v === 0n) return;
    this.varint(t);
    // Two 32-bit halves, then the varint of the 64-bit value seven bits at a time: no precision lost above 2^53.
    let lo = Number(v & 0xffffffffn);
    let hi = Number((v >> 32n) & 0xffffffffn);
    const b = this.buf;
    while (hi > 0 || lo > 0x7f) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    b[this.pos++] = lo;
  }

  private str(t: number, s: string): void {
    const len = s.length;
    if (len === 0) return;
    this.varint(t);
    if (len < 0x80) {
      // Addresses, MACs, RDs and keys are ASCII: copied char by char (a native write costs more for so few bytes).
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      if (i === len) {
        b[this.pos] = len;
        this.pos = start + len;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }

  private packed(t: number, values: number[], shift: number): void {
    if (values.length === 0) return;
    this.varint(t);
    let n = 0;
    for (const v of values) n += varintSize((v >>> shift) >>> 0);
    this.varint(n);
    for (const v of values) this.varint((v >>> shift) >>> 0);
  }
}

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}
