/** EVPN wire codes (IANA "EVPN Route Types"; RFC 7432 §5 ESI types), named once. */

/** EVPN NLRI route types: RFC 7432 §7 (1-4), RFC 9136 (5), RFC 9251 (6-8), RFC 9572 (9-11). */
export const EvpnRouteType = {
  /** 0 is reserved: a route of type 0 is malformed. */
  Reserved: 0,
  EthernetAutoDiscovery: 1,
  MacIpAdvertisement: 2,
  InclusiveMulticastEthernetTag: 3,
  EthernetSegment: 4,
  IpPrefix: 5,
  SelectiveMulticastEthernetTag: 6,
  MulticastMembershipReportSynch: 7,
  MulticastLeaveSynch: 8,
  PerRegionIPmsiAd: 9,
  SPmsiAd: 10,
  LeafAd: 11,
} as const;

/** The highest route type this collector names; the route counters fold higher ones into "other". */
export const MAX_NAMED_ROUTE_TYPE = EvpnRouteType.LeafAd;

/** RFC 7432 §5 ESI types. */
export const EsiType = { Arbitrary: 0, Lacp: 1, Bridge: 2, Mac: 3, RouterId: 4, As: 5 } as const;

/** RFC 7432 §7.1: the Ethernet tag of a per-ES Ethernet A-D route. */
export const MAX_ETHERNET_TAG = 0xffffffff;

/** RFC 7432 §7.2: the MAC address length field, in bits. */
export const MAC_LENGTH_BITS = 48;
