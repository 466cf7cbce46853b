/** RFC 4364 §4.2 route distinguisher: type 0 "asn:nn", type 1 "a.b.c.d:nn", type 2 "asn4:nn". */
import type { Reader } from '../reader.js';
import { RdType } from './bgp-codes.js';

export function readRd(r: Reader): string {
  const type = r.u16('RD type');
  switch (type) {
    case RdType.TwoOctetAs: {
      const asn = r.u16('RD asn');
      return `${asn}:${r.u32('RD number')}`;
    }
    case RdType.Ipv4Address: {
      const ip = r.ipv4('RD address');
      return `${ip}:${r.u16('RD number')}`;
    }
    case RdType.FourOctetAs: {
      const asn = r.u32('RD asn');
      return `${asn}:${r.u16('RD number')}`;
    }
    default:
      return `${type}:${r.bytes(6, 'RD value').toString('hex')}`;
  }
}

/** The per-peer header's peer distinguisher: "" when zero (global instance). */
export function readDistinguisher(r: Reader): string {
  const b = r.buf;
  const p = r.pos;
  if (r.remaining >= 8 && b.readUInt32BE(p) === 0 && b.readUInt32BE(p + 4) === 0) {
    r.pos += 8;
    return '';
  }
  return readRd(r);
}
