/**
 * RFC 7854 §4.2 per-peer header (42 bytes):
 *   peer type (1) | flags (1) | peer distinguisher (8) | peer address (16) | peer AS (4) | peer BGP ID (4)
 *   | timestamp seconds (4) | timestamp microseconds (4)
 * Flags: V (0x80) IPv6, L (0x40) post-policy, A (0x20) legacy 2-byte AS_PATH, O (0x10) Adj-RIB-Out (RFC 8671).
 */
import { readDistinguisher } from '../bgp/route-distinguisher.js';
import type { Reader } from '../reader.js';
import type { PerPeerHeader } from '../types.js';
import { BmpPeerFlag } from './bmp-codes.js';

export const PER_PEER_HEADER_LENGTH = 42;

export function decodePerPeerHeader(r: Reader): PerPeerHeader {
  r.need(PER_PEER_HEADER_LENGTH, 'per-peer header');
  const peerType = r.u8();
  const flags = r.u8();
  const distinguisher = readDistinguisher(r);
  const ipv6 = (flags & BmpPeerFlag.Ipv6) !== 0;
  let address: string;
  if (ipv6) address = r.ipv6('peer address');
  else {
    r.skip(12);
    address = r.ipv4('peer address');
  }
  const asn = r.u32('peer AS');
  const bgpId = r.ipv4('peer BGP ID');
  const sec = r.u32('timestamp seconds');
  const usec = r.u32('timestamp microseconds');
  return {
    peerType,
    flags,
    ipv6,
    postPolicy: (flags & BmpPeerFlag.PostPolicy) !== 0,
    legacyAsPath: (flags & BmpPeerFlag.LegacyAsPath) !== 0,
    adjRibOut: (flags & BmpPeerFlag.AdjRibOut) !== 0,
    distinguisher,
    address,
    asn,
    bgpId,
    timestampUs: BigInt(sec) * 1_000_000n + BigInt(usec),
  };
}
