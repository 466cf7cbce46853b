import { describe, expect, it } from 'vitest';
import { BgpAttrType } from '../../../../collector/bmp/bgp/bgp-codes.js';
import { decodeBgpUpdate, ErrorHandling, strongestHandling } from '../../../../collector/bmp/index.js';
import { attr, attrs, evpn, ext, update } from '../../../fixtures/bmp/builders.js';

// RFC 7606 per attribute, on UPDATEs built in code: which class each malformation calls for, and what is still read.

const opts = { fourOctetAs: true, addPath: new Set<string>() };
const MAC1 = evpn.macIp({ rd: '10.0.0.1:1', mac: '02:00:00:00:00:01', label1: 10100 });
const MAC2 = evpn.macIp({ rd: '10.0.0.1:1', mac: '02:00:00:00:00:02', label1: 10100 });
const reach = attrs.mpReach('10.0.0.1', [MAC1, MAC2]);
const unreach = attrs.mpUnreach([evpn.macIp({ rd: '10.0.0.1:1', mac: '02:00:00:00:00:03', label1: 0 })]);
const good = [attrs.origin(0), attrs.asPath([65001]), attrs.localPref(100), attrs.ext([ext.rt('65000:10100'), ext.encap(8)])];
const decode = (list: Buffer[]) => decodeBgpUpdate(update({ attributes: list }), opts);

/** An attribute header whose length runs past the end of the path attributes. */
const overrun = (type: number) => Buffer.from([0x40, type, 200, 0, 0]);
/** A BGP Prefix-SID whose TLV length runs past the attribute. */
const badPrefixSid = attr(40, Buffer.from([5, 0, 60, 0]), 0xc0);

const { TreatAsWithdraw: TAW, AttributeDiscard: DISCARD, AfiSafiDisable: DISABLE, SessionReset: RESET } = ErrorHandling;

describe('decodeBgpUpdate: RFC 7606 error handling', () => {
  it.each<[string, Buffer[], ErrorHandling, number | undefined, number]>([
    // [what, attributes, class, attribute type, EVPN routes still read as advertised]
    ['ORIGIN of length 2 (§7.1)', [attr(1, Buffer.from([0, 0])), reach], TAW, BgpAttrType.Origin, 2],
    ['ORIGIN value 3 (§7.1)', [attr(1, Buffer.from([3])), reach], TAW, BgpAttrType.Origin, 2],
    ['AS_PATH segment type 9 (§7.2)', [attr(2, Buffer.from([9, 1, 0, 0, 0xfd, 0xe9])), reach], TAW, BgpAttrType.AsPath, 2],
    ['AS_PATH cut in a segment (§7.2)', [attr(2, Buffer.from([2, 2, 0, 0, 0xfd, 0xe9])), reach], TAW, BgpAttrType.AsPath, 2],
    ['NEXT_HOP of length 3 (§7.3)', [attr(3, Buffer.from([10, 0, 0])), reach], TAW, BgpAttrType.NextHop, 2],
    ['MULTI_EXIT_DISC of length 3 (§7.4)', [attr(4, Buffer.alloc(3), 0x80), reach], TAW, BgpAttrType.MultiExitDisc, 2],
    ['LOCAL_PREF of length 3 (§7.5)', [attr(5, Buffer.alloc(3)), reach], TAW, BgpAttrType.LocalPref, 2],
    ['COMMUNITIES of length 6 (§7.8)', [attr(8, Buffer.alloc(6), 0xc0), reach], TAW, BgpAttrType.Communities, 2],
    ['ORIGINATOR_ID of length 5 (§7.9)', [attr(9, Buffer.alloc(5), 0x80), reach], TAW, BgpAttrType.OriginatorId, 2],
    ['CLUSTER_LIST of length 6 (§7.10)', [attr(10, Buffer.alloc(6), 0x80), reach], TAW, BgpAttrType.ClusterList, 2],
    ['EXTENDED_COMMUNITIES of length 12 (§7.14)', [attr(16, Buffer.alloc(12), 0xc0), reach], TAW, BgpAttrType.ExtendedCommunities, 2],
    ['PMSI_TUNNEL of length 3', [attr(22, Buffer.alloc(3), 0xc0), reach], TAW, BgpAttrType.PmsiTunnel, 2],
    ['LARGE_COMMUNITIES of length 8 (RFC 8092 §6)', [attr(32, Buffer.alloc(8), 0xc0), reach], TAW, BgpAttrType.LargeCommunities, 2],
    ['ATOMIC_AGGREGATE of length 1 (§7.6)', [attr(6, Buffer.alloc(1)), reach], DISCARD, BgpAttrType.AtomicAggregate, 2],
    ['AGGREGATOR of length 5 (§7.7)', [attr(7, Buffer.alloc(5), 0xc0), reach], DISCARD, BgpAttrType.Aggregator, 2],
    ['AS4_PATH cut in a segment (RFC 6793 §6)', [attr(17, Buffer.from([2, 3, 0, 0]), 0xc0), reach], DISCARD, BgpAttrType.As4Path, 2],
    ['BGP Prefix-SID with a TLV past its end (RFC 8669 §6)', [badPrefixSid, reach], DISCARD, BgpAttrType.PrefixSid, 2],
    ['a repeated LOCAL_PREF (§3 g)', [attrs.localPref(100), attrs.localPref(200), reach], DISCARD, BgpAttrType.LocalPref, 2],
    ['a repeated MP_REACH_NLRI (§3 g)', [reach, reach], RESET, BgpAttrType.MpReachNlri, 2],
    ['an MP_REACH_NLRI too short for its AFI/SAFI (§5.3)', [attr(14, Buffer.from([0, 25]), 0x90)], RESET, BgpAttrType.MpReachNlri, 0],
    [
      'an MP_REACH_NLRI next hop of length 5 (§7.11)',
      [attr(14, Buffer.concat([Buffer.from([0, 25, 70, 5]), Buffer.alloc(5), Buffer.from([0]), MAC1]), 0x90)],
      DISABLE,
      BgpAttrType.MpReachNlri,
      0,
    ],
    [
      'an EVPN route length past the MP_REACH_NLRI (§7.11)',
      [attr(14, Buffer.concat([Buffer.from([0, 25, 70, 4, 10, 0, 0, 1, 0]), MAC1, Buffer.from([2, 60, 1, 2])]), 0x90)],
      DISABLE,
      BgpAttrType.MpReachNlri,
      0,
    ],
    [
      'an EVPN route length past the MP_UNREACH_NLRI (§7.12)',
      [attr(15, Buffer.from([0, 25, 70, 2, 40, 0, 0]), 0x90), reach],
      DISABLE,
      BgpAttrType.MpUnreachNlri,
      2,
    ],
    ['an attribute length past the attributes, after MP_REACH_NLRI (§4, §5.1)', [reach, overrun(5)], TAW, BgpAttrType.LocalPref, 2],
    ['an attribute length past the attributes, before MP_REACH_NLRI (§4: the NLRI cannot be located)', [overrun(5)], RESET, BgpAttrType.LocalPref, 0],
  ])('%s', (_what, list, handling, type, advertised) => {
    const d = decode(list);
    expect(strongestHandling(d)).toBe(handling);
    expect(d.errors!.map((e) => e.attributeType)).toContain(type);
    expect(d.advertised).toHaveLength(advertised);
    for (const e of d.errors!) {
      expect(typeof e.context.offset).toBe('number');
      expect(e.context.hex!.length).toBeLessThanOrEqual(128);
    }
  });

  it('reads the rest of the UPDATE after a malformed attribute: its MP_UNREACH withdrawals stay usable', () => {
    const d = decode([attrs.origin(0), attr(5, Buffer.alloc(3)), unreach, reach]);
    expect(strongestHandling(d)).toBe(TAW);
    expect(d.withdrawn.map((r) => r.mac)).toEqual(['02:00:00:00:00:03']);
    expect(d.advertised.map((r) => r.mac)).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
  });

  it('keeps the first of a repeated attribute', () => {
    const d = decode([attrs.localPref(100), attrs.localPref(200), reach]);
    expect(d.attributes.localPref).toBe(100);
  });

  it('names the next hop lengths it takes when it refuses one', () => {
    const d = decode([attr(14, Buffer.concat([Buffer.from([0, 25, 70, 5]), Buffer.alloc(5), Buffer.from([0]), MAC1]), 0x90)]);
    expect(d.errors![0]!.message).toMatch(/next hop length 5 is not 4, 16 or 32 \(12, 24 or 40 with an RD\)/);
  });

  it('never lets another family’s malformed NLRI touch the EVPN routes', () => {
    const d = decode([...good, attr(14, Buffer.from([0, 2, 1, 16, 1, 2]), 0x90), unreach]);
    expect(d.errors).toBeUndefined();
    expect(d.other).toEqual([{ afi: 2, safi: 1, bytes: 0, withdrawn: false }]);
    expect(d.withdrawn).toHaveLength(1);
  });

  it('has no errors on a well-formed UPDATE', () => {
    const d = decode([...good, reach, unreach]);
    expect(d.errors).toBeUndefined();
    expect(strongestHandling(d)).toBeUndefined();
  });
});
