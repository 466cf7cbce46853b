/**
 * EVPN NLRI (AFI 25, SAFI 70), RFC 7432 §7 and RFC 9136 §3:
 *   [path id (4), RFC 7911] | route type (1) | length (1) | route type specific (length)
 *   1 Ethernet A-D:      RD (8) | ESI (10) | Ethernet tag (4) | MPLS label (3)
 *   2 MAC/IP:            RD (8) | ESI (10) | Ethernet tag (4) | MAC len (1) | MAC (6) | IP len (1) | IP (0/4/16)
 *                        | MPLS label1 (3) | [MPLS label2 (3)]
 *   3 Inclusive mcast:   RD (8) | Ethernet tag (4) | IP len (1) | originating router IP (4/16)
 *   4 Ethernet segment:  RD (8) | ESI (10) | IP len (1) | originating router IP (4/16)
 *   5 IP prefix:         RD (8) | ESI (10) | Ethernet tag (4) | prefix len (1) | prefix (4/16) | gateway (4/16) | label (3)
 * The length byte bounds every route: an unknown type is skipped by it and kept raw, so it never derails the routes
 * after it (OpenBMP once lost whole UPDATEs on type 5). A raw route keeps its RD where its type starts with one
 * (RFC 9251 types 6-8, RFC 9572 types 9 and 10; a type 11 Leaf A-D route's route key is the NLRI of the route it answers,
 * whose RD follows its type and length) and carries no ESI. Type 0 is reserved: such a route is skipped and counted.
 */

import { readRd } from '../bgp/route-distinguisher.js';
import { hexPreview, MalformedError } from '../errors.js';
import { Reader } from '../reader.js';
import type { EvpnRoute } from '../types.js';
import { readEsi } from './ethernet-segment-id.js';
import { EvpnRouteType, MAC_LENGTH_BITS } from './evpn-codes.js';

function label(r: Reader, field: string): number {
  r.need(3, field);
  const b = r.buf;
  const p = r.pos;
  r.pos += 3;
  return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
}

function ipByLen(r: Reader, bits: number, field: string): string {
  if (bits === 0) return '';
  if (bits === 32) return r.ipv4(field);
  if (bits === 128) return r.ipv6(field);
  throw new MalformedError(`EVPN ${field} length ${bits} bits is neither 0, 32 nor 128`, {
    messageType: 'EVPN NLRI',
    offset: r.pos,
    hex: hexPreview(r.buf, r.pos),
  });
}

function prefixText(r: Reader, bytes: 4 | 16, len: number): string {
  const addr = bytes === 4 ? r.ipv4('prefix') : r.ipv6('prefix');
  return `${addr}/${len}`;
}

const EMPTY = Buffer.alloc(0);

function route(type: number, pathId: number): EvpnRoute {
  return {
    routeType: type,
    key: '',
    pathId,
    rd: '',
    esi: '', // only types 1, 2, 4 and 5 carry one (RFC 7432 §7, RFC 9136 §3): none is published for the others
    esiType: 0,
    ethernetTag: 0,
    mac: '',
    ip: '',
    labels: [],
    originatorIp: '',
    prefix: '',
    gatewayIp: '',
    nlri: EMPTY,
  };
}

/** Decodes one route from a reader bounded to its route-type-specific bytes. */
export function decodeEvpnRoute(type: number, r: Reader, pathId: number): EvpnRoute {
  const out = route(type, pathId);
  out.nlri = r.buf.subarray(r.pos, r.end);
  switch (type) {
    case EvpnRouteType.EthernetAutoDiscovery: {
      out.rd = readRd(r);
      ({ esi: out.esi, esiType: out.esiType } = readEsi(r));
      out.ethernetTag = r.u32('Ethernet tag');
      out.labels.push(label(r, 'MPLS label'));
      out.key = `1:${out.rd}:${out.esi}:${out.ethernetTag}`;
      break;
    }
    case EvpnRouteType.MacIpAdvertisement: {
      out.rd = readRd(r);
      ({ esi: out.esi, esiType: out.esiType } = readEsi(r));
      out.ethernetTag = r.u32('Ethernet tag');
      const macLen = r.u8('MAC length');
      if (macLen !== MAC_LENGTH_BITS)
        throw new MalformedError(`EVPN MAC length ${macLen}, expected ${MAC_LENGTH_BITS}`, { messageType: 'EVPN NLRI', offset: r.pos - 1 });
      out.mac = r.mac();
      out.ip = ipByLen(r, r.u8('IP length'), 'IP address');
      out.labels.push(label(r, 'MPLS label1'));
      if (r.remaining >= 3) out.labels.push(label(r, 'MPLS label2'));
      out.key = `2:${out.rd}:${out.ethernetTag}:${out.mac}:${out.ip}`;
      break;
    }
    case EvpnRouteType.InclusiveMulticastEthernetTag: {
      out.rd = readRd(r);
      out.ethernetTag = r.u32('Ethernet tag');
      out.originatorIp = ipByLen(r, r.u8('IP length'), 'originating router IP');
      out.key = `3:${out.rd}:${out.ethernetTag}:${out.originatorIp}`;
      break;
    }
    case EvpnRouteType.EthernetSegment: {
      out.rd = readRd(r);
      ({ esi: out.esi, esiType: out.esiType } = readEsi(r));
      out.originatorIp = ipByLen(r, r.u8('IP length'), 'originating router IP');
      out.key = `4:${out.rd}:${out.esi}:${out.originatorIp}`;
      break;
    }
    case EvpnRouteType.IpPrefix: {
      // RFC 9136 §3.1: the family is told by the route length (34 for IPv4, 58 for IPv6).
      const total = r.remaining;
      if (total !== 34 && total !== 58)
        throw new MalformedError(`EVPN route type 5 length ${total}, expected 34 or 58`, { messageType: 'EVPN NLRI', offset: r.pos });
      const bytes = total === 34 ? 4 : 16;
      out.rd = readRd(r);
      ({ esi: out.esi, esiType: out.esiType } = readEsi(r));
      out.ethernetTag = r.u32('Ethernet tag');
      const plen = r.u8('prefix length');
      if (plen > bytes * 8) throw new MalformedError(`EVPN prefix length ${plen} too long`, { messageType: 'EVPN NLRI', offset: r.pos - 1 });
      out.prefix = prefixText(r, bytes, plen);
      out.gatewayIp = bytes === 4 ? r.ipv4('gateway IP') : r.ipv6('gateway IP');
      out.labels.push(label(r, 'MPLS label'));
      out.key = `5:${out.rd}:${out.ethernetTag}:${out.prefix}`;
      break;
    }
    default:
      out.raw = Buffer.from(r.bytes(r.remaining));
      out.rd = rawRd(type, out.raw);
      out.key = `${type}:${out.raw.toString('hex')}`;
  }
  return out;
}

/** Route types that begin with an RD (RFC 9251 §9.1-9.3, RFC 9572 §3.1-3.2). */
const STARTS_WITH_RD: ReadonlySet<number> = new Set([
  EvpnRouteType.InclusiveMulticastEthernetTag,
  EvpnRouteType.SelectiveMulticastEthernetTag,
  EvpnRouteType.MulticastMembershipReportSynch,
  EvpnRouteType.MulticastLeaveSynch,
  EvpnRouteType.PerRegionIPmsiAd,
  EvpnRouteType.SPmsiAd,
]);

/** The RD of a route type this decoder keeps raw, when the type has one; "" otherwise or when too short. */
function rawRd(type: number, raw: Buffer): string {
  let at = -1;
  if (STARTS_WITH_RD.has(type)) at = 0;
  else if (type === EvpnRouteType.LeafAd && raw.length >= 2 && STARTS_WITH_RD.has(raw[0]!)) at = 2; // route key: type | length | NLRI
  if (at < 0 || raw.length < at + 8) return '';
  return readRd(new Reader(raw, at, at + 8, `EVPN route type ${type} RD`));
}

/** All EVPN routes in an MP_REACH/MP_UNREACH NLRI field; returns how many were of the reserved type 0 (skipped). */
export function decodeEvpnNlri(r: Reader, addPath: boolean, out: EvpnRoute[]): number {
  let invalid = 0;
  while (r.remaining > 0) {
    const pathId = addPath ? r.u32('path identifier') : 0;
    const type = r.u8('route type');
    const len = r.u8('route length');
    const body = r.sub(len, `EVPN route type ${type}`);
    if (type === EvpnRouteType.Reserved) invalid++;
    else out.push(decodeEvpnRoute(type, body, pathId));
  }
  return invalid;
}
