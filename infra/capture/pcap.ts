/**
 * Reads TCP streams out of a pcap or pcapng capture, as operators usually have BMP sessions: link types Ethernet (1),
 * BSD loopback (0, 108), raw IP (101), Linux cooked SLL (113) and SLL2 (276); IPv4 and IPv6; TCP segments reassembled
 * per direction by sequence number (retransmissions and overlaps dropped). Bounds-checked: a truncated packet is
 * skipped, never read past.
 */
export interface TcpStream {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  data: Buffer;
}

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface Packet {
  linkType: number;
  data: Buffer;
}

function* pcapPackets(buf: Buffer): Generator<Packet> {
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = u32(off + 8);
    if (off + 16 + incl > buf.length) break;
    yield { linkType, data: buf.subarray(off + 16, off + 16 + incl) };
    off += 16 + incl;
  }
}

function* pcapngPackets(buf: Buffer): Generator<Packet> {
  let off = 0;
  let le = true;
  const links: number[] = [];
  while (off + 12 <= buf.length) {
    let type = buf.readUInt32LE(off);
    if (type === 0x0a0d0d0a) {
      le = buf.readUInt32LE(off + 8) === 0x1a2b3c4d;
      links.length = 0;
    }
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    type = u32(off);
    const len = u32(off + 4);
    if (len < 12 || off + len > buf.length) break;
    if (type === 1) links.push(u16(off + 8));
    else if (type === 6 && len >= 32) {
      const iface = u32(off + 8);
      const cap = u32(off + 20);
      if (off + 28 + cap <= off + len) yield { linkType: links[iface] ?? 1, data: buf.subarray(off + 28, off + 28 + cap) };
    } else if (type === 3 && len >= 16) {
      yield { linkType: links[0] ?? 1, data: buf.subarray(off + 12, off + len - 4) };
    }
    off += len;
  }
}

/** The IP packet inside a link-layer frame, or undefined. */
function ipOf(p: Packet): Buffer | undefined {
  const d = p.data;
  switch (p.linkType) {
    case 1: {
      if (d.length < 14) return undefined;
      let et = d.readUInt16BE(12);
      let o = 14;
      while (et === 0x8100 && d.length >= o + 4) {
        et = d.readUInt16BE(o + 2);
        o += 4;
      }
      return et === 0x0800 || et === 0x86dd ? d.subarray(o) : undefined;
    }
    case 0:
    case 108:
      return d.length > 4 ? d.subarray(4) : undefined;
    case 101:
      return d;
    case 113:
      return d.length > 16 ? d.subarray(16) : undefined;
    case 276:
      return d.length > 20 ? d.subarray(20) : undefined;
    default:
      return undefined;
  }
}

const v4 = (b: Buffer, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const v6 = (b: Buffer, o: number) => Array.from({ length: 8 }, (_, i) => b.readUInt16BE(o + 2 * i).toString(16)).join(':');

export function readTcpStreams(buf: Buffer): TcpStream[] {
  if (buf.length < 24) throw new CaptureError('not a pcap/pcapng file (too short)');
  const m = buf.readUInt32LE(0);
  const packets = m === 0x0a0d0d0a ? pcapngPackets(buf) : [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(m) ? pcapPackets(buf) : undefined;
  if (!packets) throw new CaptureError('not a pcap or pcapng file (unknown magic number)');
  const flows = new Map<string, { s: TcpStream; segs: Map<number, Buffer>; isn?: number }>();
  for (const p of packets) {
    const ip = ipOf(p);
    if (!ip || ip.length < 20) continue;
    const ver = ip[0]! >> 4;
    let src: string, dst: string, proto: number, payload: Buffer;
    if (ver === 4) {
      const ihl = (ip[0]! & 0x0f) * 4;
      const total = Math.min(ip.readUInt16BE(2), ip.length);
      if (ihl < 20 || total < ihl) continue;
      src = v4(ip, 12);
      dst = v4(ip, 16);
      proto = ip[9]!;
      payload = ip.subarray(ihl, total);
    } else if (ver === 6 && ip.length >= 40) {
      src = v6(ip, 8);
      dst = v6(ip, 24);
      proto = ip[6]!;
      payload = ip.subarray(40, Math.min(ip.length, 40 + ip.readUInt16BE(4)));
    } else continue;
    if (proto !== 6 || payload.length < 20) continue;
    const sp = payload.readUInt16BE(0);
    const dp = payload.readUInt16BE(2);
    const seq = payload.readUInt32BE(4);
    const doff = (payload[12]! >> 4) * 4;
    const flags = payload[13]!;
    if (doff < 20 || doff > payload.length) continue;
    const key = `${src}|${sp}|${dst}|${dp}`;
    let f = flows.get(key);
    if (!f) flows.set(key, (f = { s: { src, dst, srcPort: sp, dstPort: dp, data: Buffer.alloc(0) }, segs: new Map() }));
    if (flags & 0x02) f.isn = (seq + 1) >>> 0; // SYN
    const data = payload.subarray(doff);
    if (data.length && !f.segs.has(seq)) f.segs.set(seq, Buffer.from(data));
  }
  const out: TcpStream[] = [];
  for (const f of flows.values()) {
    if (f.segs.size === 0) continue;
    const seqs = [...f.segs.keys()];
    let next = f.isn ?? seqs.reduce((a, b) => (((b - a) | 0) < 0 ? b : a));
    const parts: Buffer[] = [];
    for (let guard = f.segs.size; guard > 0 && f.segs.size > 0; guard--) {
      // The segment covering `next` (exact start, or an overlapping retransmission).
      let found: [number, Buffer] | undefined;
      for (const [s, d] of f.segs) {
        const rel = (next - s) | 0;
        if (rel >= 0 && rel < d.length) {
          found = [s, d.subarray(rel)];
          break;
        }
      }
      if (!found) break;
      parts.push(found[1]);
      f.segs.delete(found[0]);
      next = (next + found[1].length) >>> 0;
    }
    f.s.data = Buffer.concat(parts);
    out.push(f.s);
  }
  return out;
}
