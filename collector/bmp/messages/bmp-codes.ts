/**
 * BMP wire codes (RFC 7854, RFC 8671, RFC 9069; IANA "BGP Monitoring Protocol (BMP) Parameters"), named once.
 * Decoders and the session switch on these names, never on bare numbers.
 */

/** RFC 7854 §4.1 message types. */
export const BmpMessageType = {
  RouteMonitoring: 0,
  StatisticsReport: 1,
  PeerDown: 2,
  PeerUp: 3,
  Initiation: 4,
  Termination: 5,
  RouteMirroring: 6,
} as const;

/** RFC 7854 §4.2 peer types; RFC 9069 §4.1 Loc-RIB instance. */
export const BmpPeerType = {
  GlobalInstance: 0,
  RdInstance: 1,
  LocalInstance: 2,
  LocRibInstance: 3,
} as const;

/** RFC 7854 §4.2 per-peer header flags; RFC 8671 §4 O flag. For a Loc-RIB peer, 0x80 is the F (filtered) flag. */
export const BmpPeerFlag = {
  /** V: the peer address is IPv6. */
  Ipv6: 0x80,
  /** L: post-policy Adj-RIB-In. */
  PostPolicy: 0x40,
  /** A: legacy 2-byte AS_PATH. */
  LegacyAsPath: 0x20,
  /** O: Adj-RIB-Out. */
  AdjRibOut: 0x10,
} as const;

/** RFC 7854 §4.9 Peer Down reasons; RFC 9069 §4.1 reason 6. */
export const PeerDownReason = {
  LocalNotification: 1,
  LocalFsmEvent: 2,
  RemoteNotification: 3,
  RemoteNoData: 4,
  PeerDeconfigured: 5,
  LocRibNotMonitored: 6,
} as const;

/** RFC 7854 §4.4 Information TLV types (Initiation, Peer Up); RFC 9069 §5.3 VRF/Table name. */
export const BmpInfoTlvType = {
  String: 0,
  SysDescr: 1,
  SysName: 2,
  TableName: 3,
} as const;

/** RFC 7854 §4.5 Termination TLV types and reasons. */
export const BmpTerminationTlvType = { String: 0, Reason: 1 } as const;
export const BmpTerminationReason = {
  AdminClose: 0,
  Unspecified: 1,
  OutOfResources: 2,
  RedundantConnection: 3,
  PermanentlyClosed: 4,
} as const;

/** RFC 7854 §4.7 Route Mirroring TLV types and information codes. */
export const BmpMirroringTlvType = { BgpMessage: 0, Information: 1 } as const;

/**
 * What a session event reports when the TCP session itself was lost: not a Termination reason of RFC 7854 §4.5
 * (those are 0..4), the largest value of the field.
 */
export const TERMINATION_REASON_SESSION_LOST = 0xffff;
