/**
 * RFC 4271 §4.3 UPDATE:
 *   withdrawn routes length (2) | withdrawn routes | total path attribute length (2) | path attributes | NLRI
 * Path attribute: flags (1) | type (1) | length (1, or 2 when the extended-length flag 0x10 is set) | value.
 * EVPN routes travel in MP_REACH_NLRI (14) / MP_UNREACH_NLRI (15), RFC 4760 §3/§4. Every length is checked against
 * what encloses it before it is used. End-of-RIB (RFC 4724 §2): an empty UPDATE (IPv4 unicast) or an MP_UNREACH with
 * no NLRI.
 */
import { DecodeError, hexPreview, MalformedError } from '../errors.js';
import { decodeEvpnNlri } from '../evpn/nlri.js';
import { Reader } from '../reader.js';
import type { DecodedUpdate, EvpnRoute, PathAttributes, UpdateDecodeOptions } from '../types.js';
import { decodeExtendedCommunities, emptyExtendedCommunities } from './extended-communities.js';
import { readBgpHeader } from './header.js';

export const AFI_L2VPN = 25;
export const SAFI_EVPN = 70;
const EVPN_KEY = '25/70';

function asPath(r: Reader, four: boolean, out: number[]): void {
  while (r.remaining > 0) {
    r.u8('AS_PATH segment type');
    const n = r.u8('AS_PATH segment length');
    for (let i = 0; i < n; i++) out.push(four ? r.u32('AS number') : r.u16('AS number'));
  }
}

function nextHop(r: Reader, len: number): string {
  if (len === 4) return r.ipv4('next hop');
  if (len === 16 || len === 32) {
    const global = r.ipv6('next hop');
    if (len === 32) r.skip(16, 'link-local next hop');
    return global;
  }
  if (len === 12 || len === 24) {
    // RD-prefixed next hops (VPN families): skip the zero RD.
    r.skip(8, 'next hop RD');
    return nextHop(r, len - 8);
  }
  throw new MalformedError(`MP_REACH next hop length ${len} is not 4, 16 or 32`, { messageType: 'UPDATE', offset: r.pos - 1 });
}

export function emptyAttributes(): PathAttributes {
  return { asPath: [], communities: [], largeCommunities: [], clusterList: [], extCommunities: emptyExtendedCommunities(), raw: [] };
}

/** Decodes a whole BGP UPDATE message (header included). */
export function decodeBgpUpdate(buf: Buffer, opts: UpdateDecodeOptions, baseOffset = 0): DecodedUpdate {
  const outer = new Reader(buf, 0, buf.length, 'BGP UPDATE');
  try {
    const { type, body } = readBgpHeader(outer);
    if (type !== 2) throw new MalformedError(`expected a BGP UPDATE, got type ${type}`, { messageType: 'UPDATE', offset: baseOffset + 18 });
    const withdrawnLen = body.u16('withdrawn routes length');
    const withdrawnIpv4 = body.sub(withdrawnLen, 'withdrawn routes');
    const attrLen = body.u16('total path attribute length');
    const attrs = body.sub(attrLen, 'path attributes');
    const ipv4Bytes = body.remaining + withdrawnIpv4.remaining;
    const out: DecodedUpdate = { attributes: emptyAttributes(), advertised: [], withdrawn: [], other: [], ipv4Bytes };
    if (withdrawnLen === 0 && attrLen === 0 && body.remaining === 0) {
      out.endOfRib = '1/1';
      return out;
    }
    const a = out.attributes;
    const evpnAddPath = opts.addPath.has(EVPN_KEY);
    while (attrs.remaining > 0) {
      const flags = attrs.u8('attribute flags');
      const code = attrs.u8('attribute type');
      const len = flags & 0x10 ? attrs.u16('attribute length') : attrs.u8('attribute length');
      const v = attrs.sub(len, `path attribute ${code}`);
      switch (code) {
        case 1:
          a.origin = v.u8('ORIGIN');
          break;
        case 2:
          asPath(v, opts.fourOctetAs, a.asPath);
          break;
        case 3:
          a.nextHop = v.ipv4('NEXT_HOP');
          break;
        case 4:
          a.med = v.u32('MED');
          break;
        case 5:
          a.localPref = v.u32('LOCAL_PREF');
          break;
        case 8:
          while (v.remaining > 0) a.communities.push(`${v.u16('community')}:${v.u16('community')}`);
          break;
        case 9:
          a.originatorId = v.ipv4('ORIGINATOR_ID');
          break;
        case 10:
          while (v.remaining > 0) a.clusterList.push(v.ipv4('CLUSTER_LIST'));
          break;
        case 14: {
          const afi = v.u16('MP_REACH AFI');
          const safi = v.u8('MP_REACH SAFI');
          const nhLen = v.u8('next hop length');
          const nh = v.sub(nhLen, 'MP_REACH next hop');
          v.u8('reserved');
          if (afi === AFI_L2VPN && safi === SAFI_EVPN) {
            a.nextHop = nextHop(nh, nhLen);
            decodeEvpnNlri(v, evpnAddPath, out.advertised);
          } else out.other.push({ afi, safi, bytes: v.remaining, withdrawn: false });
          break;
        }
        case 15: {
          const afi = v.u16('MP_UNREACH AFI');
          const safi = v.u8('MP_UNREACH SAFI');
          if (v.remaining === 0) out.endOfRib = `${afi}/${safi}`;
          else if (afi === AFI_L2VPN && safi === SAFI_EVPN) decodeEvpnNlri(v, evpnAddPath, out.withdrawn);
          else out.other.push({ afi, safi, bytes: v.remaining, withdrawn: true });
          break;
        }
        case 16:
          decodeExtendedCommunities(v, a.extCommunities);
          break;
        case 17:
          // AS4_PATH (RFC 6793 §4.2.3) from an old speaker: the real path.
          a.asPath.length = 0;
          asPath(v, true, a.asPath);
          break;
        case 22: {
          const pflags = v.u8('PMSI flags');
          const tunnelType = v.u8('PMSI tunnel type');
          const hi = v.u8('PMSI label');
          const lo = v.u16('PMSI label');
          const id = v.remaining === 4 ? v.ipv4('PMSI tunnel id') : v.remaining === 16 ? v.ipv6('PMSI tunnel id') : v.bytes(v.remaining).toString('hex');
          a.pmsi = { flags: pflags, tunnelType, label: (hi << 16) | lo, tunnelId: id };
          break;
        }
        case 32:
          while (v.remaining > 0) a.largeCommunities.push(`${v.u32('large community')}:${v.u32('large community')}:${v.u32('large community')}`);
          break;
        default:
          a.raw.push({ flags, type: code, value: Buffer.from(v.bytes(len)) });
      }
    }
    return out;
  } catch (err) {
    if (err instanceof DecodeError) {
      if (err.context.offset !== undefined && baseOffset) err.context.offset += baseOffset;
      throw err;
    }
    throw new MalformedError(
      `UPDATE: ${err instanceof Error ? err.message : String(err)}`,
      { messageType: 'UPDATE', offset: baseOffset, hex: hexPreview(buf) },
      { cause: err },
    );
  }
}

export type { EvpnRoute };
