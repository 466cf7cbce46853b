/**
 * RFC 4271 §4.3 UPDATE:
 *   withdrawn routes length (2) | withdrawn routes | total path attribute length (2) | path attributes | NLRI
 * Path attribute: flags (1) | type (1) | length (1, or 2 when the extended-length flag is set) | value.
 * EVPN routes travel in MP_REACH_NLRI / MP_UNREACH_NLRI, RFC 4760 §3/§4. Every length is checked against what encloses
 * it before it is used. End-of-RIB (RFC 4724 §2): an empty UPDATE (IPv4 unicast) or an MP_UNREACH with no NLRI.
 *
 * Malformed input does not throw: it is returned as `errors`, each classed per RFC 7606 (GoBGP's MessageError with
 * its ErrorHandling), and decoding goes on as far as the class allows, so that the session can act on what is known:
 *  - an attribute whose value is malformed (but whose length fits) calls for its class of RFC 7606 §7 (treat-as-withdraw
 *    for the attributes that shape the route, attribute-discard for the others) and the next attribute is read;
 *  - an attribute length that overruns the attributes (§4) leaves the rest unreadable: treat-as-withdraw when the
 *    MP_REACH_NLRI was already read (§5.1: it is sent first), else session reset, since the NLRI cannot be located;
 *  - a malformed MP_REACH_NLRI or MP_UNREACH_NLRI whose AFI/SAFI can be read is AFI/SAFI disable (§7.11), one that
 *    repeats or cannot even show its AFI/SAFI is session reset (§3 g, §5.3), as is an UPDATE that cannot be framed.
 */
import { DecodeError, ErrorHandling as EH, type ErrorHandling, hexPreview, MalformedError, UpdateError } from '../errors.js';
import { decodeEvpnNlri } from '../evpn/nlri.js';
import { Reader } from '../reader.js';
import type { DecodedUpdate, EvpnRoute, PathAttributes, PrefixSid, UpdateDecodeOptions } from '../types.js';
import {
  Afi,
  AsPathSegmentType,
  afiSafiKey,
  BgpAttrFlag,
  BgpAttrType,
  BgpMessageType,
  BgpOrigin,
  EVPN_AFI_SAFI,
  IPV4_UNICAST,
  PrefixSidTlvType,
  Safi,
  Srv6ServiceSubTlvType,
  Srv6SidSubSubTlvType,
} from './bgp-codes.js';
import { decodeExtendedCommunities, emptyExtendedCommunities } from './extended-communities.js';
import { readBgpHeader } from './header.js';

/** RFC 7606 §7: the class a malformed value of each attribute calls for (GoBGP's getErrorHandlingFromPathAttribute). */
function handlingOf(type: number): ErrorHandling {
  switch (type) {
    case BgpAttrType.Origin:
    case BgpAttrType.AsPath:
    case BgpAttrType.NextHop:
    case BgpAttrType.MultiExitDisc:
    case BgpAttrType.LocalPref:
    case BgpAttrType.Communities:
    case BgpAttrType.OriginatorId:
    case BgpAttrType.ClusterList:
    case BgpAttrType.ExtendedCommunities:
    case BgpAttrType.PmsiTunnel:
    case BgpAttrType.LargeCommunities:
      return EH.TreatAsWithdraw;
    case BgpAttrType.MpReachNlri:
    case BgpAttrType.MpUnreachNlri:
      return EH.AfiSafiDisable;
    default:
      // ATOMIC_AGGREGATE, AGGREGATOR (§7.6, §7.7), AS4_PATH and AS4_AGGREGATOR (RFC 6793 §6), Prefix-SID (RFC 8669
      // §6) and anything else: the attribute is dropped and the route kept.
      return EH.AttributeDiscard;
  }
}

function malformed(what: string, r: Reader): MalformedError {
  return new MalformedError(what, { messageType: 'UPDATE', offset: r.pos, hex: hexPreview(r.buf, r.pos) });
}

function asPath(r: Reader, four: boolean, out: number[]): void {
  while (r.remaining > 0) {
    const type = r.u8('AS_PATH segment type');
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.ConfedSet) throw malformed(`AS_PATH segment type ${type} is not 1-4`, r);
    const n = r.u8('AS_PATH segment length');
    for (let i = 0; i < n; i++) out.push(four ? r.u32('AS number') : r.u16('AS number'));
  }
}

/** RFC 4760 §3 next hop: IPv4 (4), IPv6 (16, or 32 with a link-local address), each optionally after an 8-byte RD. */
function nextHop(r: Reader, len: number): string {
  if (len === 4) return r.ipv4('next hop');
  if (len === 16 || len === 32) {
    const global = r.ipv6('next hop');
    if (len === 32) r.skip(16, 'link-local next hop');
    return global;
  }
  if (len === 12 || len === 24 || len === 40) {
    // RD-prefixed next hops (VPN families): skip the zero RD.
    r.skip(8, 'next hop RD');
    return nextHop(r, len - 8);
  }
  throw new MalformedError(`MP_REACH next hop length ${len} is not 4, 16 or 32 (12, 24 or 40 with an RD)`, { messageType: 'UPDATE', offset: r.pos - 1 });
}

/** RFC 8669 §3 Prefix-SID TLVs: type (1) | length (2) | value; RFC 9252 §2 SRv6 service TLVs inside. */
function prefixSid(r: Reader): PrefixSid {
  const out: PrefixSid = {};
  while (r.remaining > 0) {
    const type = r.u8('Prefix-SID TLV type');
    const len = r.u16('Prefix-SID TLV length');
    const v = r.sub(len, `Prefix-SID TLV ${type}`);
    if (type !== PrefixSidTlvType.Srv6L2Service && type !== PrefixSidTlvType.Srv6L3Service) continue;
    v.u8('SRv6 service TLV reserved');
    while (v.remaining > 0) {
      const subType = v.u8('SRv6 service sub-TLV type');
      const subLen = v.u16('SRv6 service sub-TLV length');
      const sub = v.sub(subLen, `SRv6 service sub-TLV ${subType}`);
      if (subType !== Srv6ServiceSubTlvType.SidInformation || out.srv6) continue;
      sub.u8('SRv6 SID information reserved');
      const sid = Buffer.from(sub.bytes(16, 'SRv6 SID'));
      sub.skip(4, 'SRv6 SID flags, endpoint behavior and reserved');
      let transpositionLength = 0;
      let transpositionOffset = 0;
      while (sub.remaining > 0) {
        const sst = sub.u8('SRv6 sub-sub-TLV type');
        const sstLen = sub.u16('SRv6 sub-sub-TLV length');
        const s = sub.sub(sstLen, `SRv6 sub-sub-TLV ${sst}`);
        if (sst !== Srv6SidSubSubTlvType.SidStructure) continue;
        s.skip(4, 'SID structure locator block, node, function and argument lengths');
        transpositionLength = s.u8('transposition length');
        transpositionOffset = s.u8('transposition offset');
        if (transpositionLength > 24 || transpositionOffset + transpositionLength > 128) throw malformed('SRv6 transposition outside the SID or label', s);
      }
      out.srv6 = { sid, transpositionLength, transpositionOffset, service: type === PrefixSidTlvType.Srv6L2Service ? 'l2' : 'l3' };
    }
  }
  return out;
}

export function emptyAttributes(): PathAttributes {
  return { asPath: [], communities: [], largeCommunities: [], clusterList: [], extCommunities: emptyExtendedCommunities(), raw: [] };
}

function fail(out: DecodedUpdate, err: unknown, handling: ErrorHandling, attributeType: number | undefined, baseOffset: number, buf: Buffer): void {
  const e = err instanceof DecodeError ? err : undefined;
  const offset = e?.context.offset !== undefined ? e.context.offset + baseOffset : baseOffset;
  const message = err instanceof Error ? err.message : String(err);
  const hex = e?.context.hex ?? hexPreview(buf);
  (out.errors ??= []).push(new UpdateError(message, handling, attributeType, { messageType: 'UPDATE', offset, hex }, { cause: err }));
}

/** The strongest RFC 7606 class among an UPDATE's errors, undefined when it had none. */
export function strongestHandling(u: DecodedUpdate): ErrorHandling | undefined {
  let h: ErrorHandling | undefined;
  for (const e of u.errors ?? []) if (h === undefined || e.handling > h) h = e.handling;
  return h;
}

/** Decodes a whole BGP UPDATE message (header included). Never throws for bad input: see `errors`. */
export function decodeBgpUpdate(buf: Buffer, opts: UpdateDecodeOptions, baseOffset = 0): DecodedUpdate {
  const out: DecodedUpdate = { attributes: emptyAttributes(), advertised: [], withdrawn: [], other: [], ipv4Bytes: 0, invalidRoutes: 0 };
  let attrs: Reader;
  try {
    const { type, body } = readBgpHeader(new Reader(buf, 0, buf.length, 'BGP UPDATE'));
    if (type !== BgpMessageType.Update) throw new MalformedError(`expected a BGP UPDATE, got type ${type}`, { messageType: 'UPDATE', offset: 18 });
    const withdrawnLen = body.u16('withdrawn routes length');
    const withdrawnIpv4 = body.sub(withdrawnLen, 'withdrawn routes');
    const attrLen = body.u16('total path attribute length');
    attrs = body.sub(attrLen, 'path attributes');
    out.ipv4Bytes = body.remaining + withdrawnIpv4.remaining;
    if (withdrawnLen === 0 && attrLen === 0 && body.remaining === 0) {
      out.endOfRib = IPV4_UNICAST;
      return out;
    }
  } catch (err) {
    // RFC 7606 §4: the UPDATE cannot be framed (header, withdrawn routes or total attribute length): session reset.
    fail(out, err, EH.SessionReset, undefined, baseOffset, buf);
    return out;
  }
  const a = out.attributes;
  const evpnAddPath = opts.addPath.has(EVPN_AFI_SAFI);
  // Attribute types read so far: a bit per type code below 64, a list for the rare higher ones.
  let seenLo = 0;
  let seenHi = 0;
  let seenOther: number[] | undefined;
  let reachRead = false;
  while (attrs.remaining > 0) {
    let code = 0;
    let v: Reader;
    let flags: number;
    let len: number;
    try {
      flags = attrs.u8('attribute flags');
      code = attrs.u8('attribute type');
      len = flags & BgpAttrFlag.ExtendedLength ? attrs.u16('attribute length') : attrs.u8('attribute length');
      v = attrs.sub(len, `path attribute ${code}`);
    } catch (err) {
      // §4: the attribute overruns the attributes; whatever follows cannot be located.
      fail(out, err, reachRead ? EH.TreatAsWithdraw : EH.SessionReset, code || undefined, baseOffset, buf);
      break;
    }
    let repeated: boolean;
    if (code < 32) {
      repeated = (seenLo & (1 << code)) !== 0;
      seenLo |= 1 << code;
    } else if (code < 64) {
      repeated = (seenHi & (1 << (code - 32))) !== 0;
      seenHi |= 1 << (code - 32);
    } else {
      repeated = seenOther?.includes(code) ?? false;
      (seenOther ??= []).push(code);
    }
    if (repeated) {
      // §3 g: a repeated MP_REACH/MP_UNREACH makes the NLRI ambiguous (session reset); any other repeat is dropped.
      const mp = code === BgpAttrType.MpReachNlri || code === BgpAttrType.MpUnreachNlri;
      fail(
        out,
        new MalformedError(`path attribute ${code} appears twice`, { messageType: 'UPDATE', offset: v.pos }),
        mp ? EH.SessionReset : EH.AttributeDiscard,
        code,
        baseOffset,
        buf,
      );
      if (mp) break;
      continue;
    }
    try {
      switch (code) {
        case BgpAttrType.Origin:
          if (len !== 1) throw malformed(`ORIGIN length ${len}, expected 1`, v);
          a.origin = v.u8('ORIGIN');
          if (a.origin > BgpOrigin.Incomplete) throw malformed(`ORIGIN ${a.origin} is not 0-2`, v);
          break;
        case BgpAttrType.AsPath:
          asPath(v, opts.fourOctetAs, a.asPath);
          break;
        case BgpAttrType.NextHop:
          if (len !== 4) throw malformed(`NEXT_HOP length ${len}, expected 4`, v);
          a.nextHop ??= v.ipv4('NEXT_HOP');
          break;
        case BgpAttrType.MultiExitDisc:
          if (len !== 4) throw malformed(`MULTI_EXIT_DISC length ${len}, expected 4`, v);
          a.med = v.u32('MED');
          break;
        case BgpAttrType.LocalPref:
          if (len !== 4) throw malformed(`LOCAL_PREF length ${len}, expected 4`, v);
          a.localPref = v.u32('LOCAL_PREF');
          break;
        case BgpAttrType.AtomicAggregate:
          if (len !== 0) throw malformed(`ATOMIC_AGGREGATE length ${len}, expected 0`, v);
          a.raw.push({ flags, type: code, value: Buffer.alloc(0) });
          break;
        case BgpAttrType.Aggregator:
          if (len !== (opts.fourOctetAs ? 8 : 6)) throw malformed(`AGGREGATOR length ${len}, expected ${opts.fourOctetAs ? 8 : 6}`, v);
          a.raw.push({ flags, type: code, value: Buffer.from(v.bytes(len)) });
          break;
        case BgpAttrType.Communities:
          if (len === 0 || len % 4 !== 0) throw malformed(`COMMUNITIES length ${len} is not a positive multiple of 4`, v);
          while (v.remaining > 0) a.communities.push(`${v.u16('community')}:${v.u16('community')}`);
          break;
        case BgpAttrType.OriginatorId:
          if (len !== 4) throw malformed(`ORIGINATOR_ID length ${len}, expected 4`, v);
          a.originatorId = v.ipv4('ORIGINATOR_ID');
          break;
        case BgpAttrType.ClusterList:
          if (len === 0 || len % 4 !== 0) throw malformed(`CLUSTER_LIST length ${len} is not a positive multiple of 4`, v);
          while (v.remaining > 0) a.clusterList.push(v.ipv4('CLUSTER_LIST'));
          break;
        case BgpAttrType.MpReachNlri:
          mpReach(v, len, out, evpnAddPath);
          reachRead = true;
          break;
        case BgpAttrType.MpUnreachNlri:
          mpUnreach(v, out, evpnAddPath);
          break;
        case BgpAttrType.ExtendedCommunities:
          if (len % 8 !== 0) throw malformed(`EXTENDED_COMMUNITIES length ${len} is not a multiple of 8`, v);
          decodeExtendedCommunities(v, a.extCommunities);
          break;
        case BgpAttrType.As4Path: {
          // AS4_PATH (RFC 6793 §4.2.3) from an old speaker: the real path, when it reads whole.
          const path: number[] = [];
          asPath(v, true, path);
          a.asPath = path;
          break;
        }
        case BgpAttrType.PmsiTunnel: {
          if (len < 5) throw malformed(`PMSI_TUNNEL length ${len}, expected at least 5`, v);
          const pflags = v.u8('PMSI flags');
          const tunnelType = v.u8('PMSI tunnel type');
          const hi = v.u8('PMSI label');
          const lo = v.u16('PMSI label');
          const id = v.remaining === 4 ? v.ipv4('PMSI tunnel id') : v.remaining === 16 ? v.ipv6('PMSI tunnel id') : v.bytes(v.remaining).toString('hex');
          a.pmsi = { flags: pflags, tunnelType, label: (hi << 16) | lo, tunnelId: id };
          break;
        }
        case BgpAttrType.LargeCommunities:
          if (len === 0 || len % 12 !== 0) throw malformed(`LARGE_COMMUNITIES length ${len} is not a positive multiple of 12`, v);
          while (v.remaining > 0) a.largeCommunities.push(`${v.u32('large community')}:${v.u32('large community')}:${v.u32('large community')}`);
          break;
        case BgpAttrType.PrefixSid:
          a.prefixSid = prefixSid(v);
          break;
        default:
          a.raw.push({ flags, type: code, value: Buffer.from(v.bytes(len)) });
      }
    } catch (err) {
      fail(out, err, err instanceof UpdateError ? err.handling : handlingOf(code), code, baseOffset, buf);
    }
  }
  return out;
}

/** RFC 4760 §3 MP_REACH_NLRI: AFI (2) | SAFI (1) | next hop length (1) | next hop | reserved (1) | NLRI. */
function mpReach(v: Reader, len: number, out: DecodedUpdate, addPath: boolean): void {
  if (len < 5) {
    // §5.3: not even the AFI/SAFI and next hop length can be read.
    throw new UpdateError(`MP_REACH_NLRI length ${len} is too short for its AFI/SAFI`, EH.SessionReset, BgpAttrType.MpReachNlri, { offset: v.pos });
  }
  const afi = v.u16('MP_REACH AFI');
  const safi = v.u8('MP_REACH SAFI');
  if (afi !== Afi.L2vpn || safi !== Safi.Evpn) {
    // Another family: skipped (and counted), never an error of the EVPN routes. Its NLRI bytes, when they can be found.
    const nhLen = v.u8('next hop length');
    out.other.push({ afi, safi, bytes: Math.max(0, v.remaining - nhLen - 1), withdrawn: false });
    return;
  }
  const routes: EvpnRoute[] = [];
  try {
    const nhLen = v.u8('next hop length');
    const nh = v.sub(nhLen, 'MP_REACH next hop');
    v.u8('reserved');
    out.attributes.nextHop = nextHop(nh, nhLen);
    out.invalidRoutes += decodeEvpnNlri(v, addPath, routes);
  } catch (err) {
    // §7.11: the family is known, its NLRI are not.
    throw new UpdateError(
      `MP_REACH_NLRI (${afiSafiKey(afi, safi)}): ${err instanceof Error ? err.message : String(err)}`,
      EH.AfiSafiDisable,
      BgpAttrType.MpReachNlri,
      {
        offset: err instanceof DecodeError ? err.context.offset : v.pos,
        hex: err instanceof DecodeError ? err.context.hex : undefined,
      },
    );
  }
  for (const r of routes) out.advertised.push(r);
}

/** RFC 4760 §4 MP_UNREACH_NLRI: AFI (2) | SAFI (1) | withdrawn routes; with none, End-of-RIB (RFC 4724 §2). */
function mpUnreach(v: Reader, out: DecodedUpdate, addPath: boolean): void {
  if (v.remaining < 3) {
    throw new UpdateError(`MP_UNREACH_NLRI length ${v.remaining} is too short for its AFI/SAFI`, EH.SessionReset, BgpAttrType.MpUnreachNlri, { offset: v.pos });
  }
  const afi = v.u16('MP_UNREACH AFI');
  const safi = v.u8('MP_UNREACH SAFI');
  if (v.remaining === 0) out.endOfRib = afiSafiKey(afi, safi);
  else if (afi === Afi.L2vpn && safi === Safi.Evpn) {
    const routes: EvpnRoute[] = [];
    try {
      out.invalidRoutes += decodeEvpnNlri(v, addPath, routes);
    } catch (err) {
      throw new UpdateError(
        `MP_UNREACH_NLRI (${afiSafiKey(afi, safi)}): ${err instanceof Error ? err.message : String(err)}`,
        EH.AfiSafiDisable,
        BgpAttrType.MpUnreachNlri,
        {
          offset: err instanceof DecodeError ? err.context.offset : v.pos,
          hex: err instanceof DecodeError ? err.context.hex : undefined,
        },
      );
    }
    for (const r of routes) out.withdrawn.push(r);
  } else out.other.push({ afi, safi, bytes: v.remaining, withdrawn: true });
}

export type { EvpnRoute };
