/**
 * Extended community types and subtypes (RFC 4360, IANA "BGP Extended Communities") that EVPN uses, and the tunnel
 * types of the encapsulation community (RFC 9012 §4.1, IANA "BGP Tunnel Encapsulation Attribute Tunnel Types").
 */

/** High-order type octets (the two top bits are the IANA-authority and non-transitive flags). */
export const ExtCommunityType = {
  TwoOctetAs: 0x00,
  Ipv4Address: 0x01,
  FourOctetAs: 0x02,
  Opaque: 0x03,
  Evpn: 0x06,
} as const;

/** Mask of the type octet without the IANA-authority (0x80) and non-transitive (0x40) bits. */
export const EXT_COMMUNITY_TYPE_MASK = 0x3f;

/** Subtypes: route target (of the AS / IPv4 types), opaque and EVPN subtypes. */
export const ExtCommunitySubtype = {
  RouteTarget: 0x02,
  /** Opaque (0x03): RFC 9012 §4.1 encapsulation. */
  Encapsulation: 0x0c,
  /** Opaque (0x03): RFC 7432 §7.8 default gateway. */
  DefaultGateway: 0x0d,
  /** EVPN (0x06), RFC 7432 §7.7. */
  MacMobility: 0x00,
  /** EVPN (0x06), RFC 7432 §7.5. */
  EsiLabel: 0x01,
  /** EVPN (0x06), RFC 7432 §7.6. */
  EsImportRouteTarget: 0x02,
  /** EVPN (0x06), RFC 9135 §8.1. */
  RouterMac: 0x03,
} as const;

/** RFC 9012 tunnel types (IANA): the encapsulation community says how the route's label fields are read. */
export const TunnelType = {
  L2tpv3: 1,
  Gre: 2,
  IpInIp: 7,
  Vxlan: 8,
  Nvgre: 9,
  Mpls: 10,
  MplsInGre: 11,
  VxlanGpe: 12,
  MplsInUdp: 13,
  Geneve: 19,
} as const;

/** RFC 6514 §5 PMSI tunnel types used by EVPN (RFC 7432 §11.2). */
export const PmsiTunnelType = { IngressReplication: 6 } as const;
