/**
 * BGP wire codes (RFC 4271, RFC 4760, RFC 5492 and the IANA BGP registries), named once as GoBGP's
 * `BGP_ATTR_TYPE_*` are. Decoders switch on these names, never on bare numbers.
 */

/** RFC 4271 §4.1 message types. */
export const BgpMessageType = { Open: 1, Update: 2, Notification: 3, Keepalive: 4, RouteRefresh: 5 } as const;

/** RFC 4271 §4.3 path attribute flags. */
export const BgpAttrFlag = { Optional: 0x80, Transitive: 0x40, Partial: 0x20, ExtendedLength: 0x10 } as const;

/** Path attribute type codes (IANA "BGP Path Attributes"). */
export const BgpAttrType = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  ExtendedCommunities: 16,
  As4Path: 17,
  As4Aggregator: 18,
  PmsiTunnel: 22,
  TunnelEncapsulation: 23,
  LargeCommunities: 32,
  PrefixSid: 40,
} as const;

/** RFC 4271 §4.3 ORIGIN values. */
export const BgpOrigin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;

/** RFC 4271 §4.3 AS_PATH segment types; RFC 5065 confederation segments. */
export const AsPathSegmentType = { AsSet: 1, AsSequence: 2, ConfedSequence: 3, ConfedSet: 4 } as const;

/** Address family identifiers (IANA) and subsequent address family identifiers (RFC 4760). */
export const Afi = { Ipv4: 1, Ipv6: 2, L2vpn: 25 } as const;
export const Safi = { Unicast: 1, Multicast: 2, Evpn: 70 } as const;

/** The AFI/SAFI key used in capability maps and End-of-RIB markers: "afi/safi". */
export const afiSafiKey = (afi: number, safi: number) => `${afi}/${safi}`;
export const EVPN_AFI_SAFI = afiSafiKey(Afi.L2vpn, Safi.Evpn);
/** RFC 4724 §2: an UPDATE with nothing in it is the IPv4 unicast End-of-RIB. */
export const IPV4_UNICAST = afiSafiKey(Afi.Ipv4, Safi.Unicast);

/** RFC 4364 §4.2 route distinguisher types. */
export const RdType = { TwoOctetAs: 0, Ipv4Address: 1, FourOctetAs: 2 } as const;

/** OPEN optional parameter types (RFC 5492 §4) and capability codes (IANA "Capability Codes"). */
export const OpenParamType = { Capabilities: 2, ExtendedLength: 255 } as const;
export const CapabilityCode = { Multiprotocol: 1, FourOctetAs: 65, AddPath: 69 } as const;

/** RFC 7911 §4 ADD-PATH send/receive field bits. */
export const AddPathMode = { Receive: 1, Send: 2 } as const;

/** RFC 8669 §3 BGP Prefix-SID attribute TLVs; RFC 9252 §2 SRv6 service TLVs and their sub-TLVs. */
export const PrefixSidTlvType = { LabelIndex: 1, OriginatorSrgb: 3, Srv6L3Service: 5, Srv6L2Service: 6 } as const;
export const Srv6ServiceSubTlvType = { SidInformation: 1 } as const;
export const Srv6SidSubSubTlvType = { SidStructure: 1 } as const;
