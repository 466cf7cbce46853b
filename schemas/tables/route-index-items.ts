/**
 * Items of the route index (functions/route-index): Ethernet segments from type-1 / type-4 routes and IP prefixes
 * from type-5 routes, in the index table beside the MAC index's items (docs/table-design.md, "Segments and prefixes").
 *
 * | item            | pk                   | sk                 | notes                                                         |
 * |-----------------|----------------------|--------------------|---------------------------------------------------------------|
 * | segment route   | SEG#<esi>            | R#<route key>      | one type-1 or type-4 route, every path reporting it           |
 * | segment list    | SEGMENTS             | <esi>              | segments with a live route                                    |
 * | prefix          | VRF#<vrf>            | PFX#<prefix>       | every path of every route of the prefix in that IP-VRF        |
 * | VRF list        | VRFS                 | <vrf>              | `len:<family><length>` attributes: the prefix lengths present |
 * | prefix history  | PHIST#<vrf>#<prefix> | <ISO time>         | a prefix moving between fabrics (data centers)                |
 * | router note     | RIDX#<router>        | SEG#<esi>, VRF#<vrf> | what a router reported: where its resync sweeps             |
 * | segment MAC     | SEGMAC#<esi>         | <mac>#<VNI#n|EVI#rt> | a MAC behind the segment: the members advertising it        |
 * | several members | SEG#<esi>            | MULTI#<mac>#<seg>  | while more than one member advertises that MAC              |
 *
 * `<vrf>` is the L3 VNI of a VXLAN IP-VRF (RFC 9136 §3.1: the label field of a type-5 route), or the route target
 * naming it for MPLS. The segment partition is not the MAC index's `ES#<esi>` (its per-ES A-D member state).
 */

/** One path of a route as one router learnt it (keys kept short: an item holds many). */
export interface RoutePath {
  /** Event order (route-changes.ts ordOf): only a newer event replaces the path. */
  o: string;
  /** The router (address/BGP ID) reporting it. */
  r: string;
  /** Fabric of that router. */
  f: string;
  /** Withdrawn (a tombstone kept for an hour against late replays). */
  w?: true;
  /** Record time (ms). */
  at: number;
  /** The advertisement's attributes (absent on a tombstone). */
  a?: RouteAttrs;
}

export interface RouteAttrs {
  /** Next hop (the VTEP), or a type-4 route's originator IP. */
  vtep: string;
  rd?: string;
  /** Type 1: ESI Label extended community (RFC 7432 §7.5). */
  esiLabel?: number;
  singleActive?: boolean;
  /** Type 4: RFC 8584 DF Alg of the DF Election extended community. */
  dfAlg?: number;
  /** Type 1 per EVI: the VNI (RFC 8365 §5.1.3) and Ethernet tag. */
  vni?: number;
  routeTargets?: string[];
  /** Type 5. */
  gatewayIp?: string;
  routerMac?: string;
  esi?: string;
}

export interface SegmentRouteItem {
  pk: string;
  sk: string;
  esi: string;
  routeType: 1 | 4;
  ethernetTag: number;
  rd: string;
  /** Type 4: the originator IP from the NLRI (RFC 7432 §7.4). */
  originator?: string;
  paths: Record<string, RoutePath>;
  live: boolean;
  version: number;
  expiresAt?: number;
}

/** A MAC behind a multi-homed segment (type-2 routes with its ESI): which members advertise it. */
export interface SegmentMacItem {
  pk: string;
  sk: string;
  esi: string;
  mac: string;
  /** `VNI#<vni>` or `EVI#<rt>`. */
  segment: string;
  paths: Record<string, RoutePath>;
  live: boolean;
  /** Members (VTEPs) with a live path. */
  members: string[];
  version: number;
  expiresAt?: number;
}

export interface PrefixHistoryEntry {
  pk: string;
  sk: string;
  vrf: string;
  prefix: string;
  at: string;
  kind: 'move';
  from: string[];
  to: string[];
  expiresAt: number;
}

export interface PrefixItem {
  pk: string;
  sk: string;
  vrf: string;
  prefix: string;
  paths: Record<string, RoutePath>;
  live: boolean;
  /** Fabrics with a live path, sorted. */
  fabrics: string[];
  /** Where the prefix was when its last path went (fabrics, record time ms): a re-advertisement elsewhere soon after is a move. */
  vanished?: { fabrics: string[]; atMs: number };
  version: number;
  expiresAt?: number;
}

export interface VrfListItem {
  pk: string;
  sk: string;
  vrf: string;
  /** The L3 VNI (VXLAN) or the route target (MPLS). */
  l3Vni?: number;
  routeTarget?: string;
  [lenAttr: `len:${string}`]: number;
}

export const routeIndexKeys = {
  segmentRoute: (esi: string, routeKey: string) => ({ pk: `SEG#${esi}`, sk: `R#${routeKey}` }),
  segmentPk: (esi: string) => `SEG#${esi}`,
  segmentList: (esi: string) => ({ pk: 'SEGMENTS', sk: esi }),
  segmentMac: (esi: string, mac: string, segment: string) => ({ pk: `SEGMAC#${esi}`, sk: `${mac}#${segment}` }),
  segmentMacPk: (esi: string) => `SEGMAC#${esi}`,
  /** Present while more than one member advertises the MAC (a single-active segment's anomaly, RFC 7432 §8.5 / §14.1.1). */
  segmentMulti: (esi: string, mac: string, segment: string) => ({ pk: `SEG#${esi}`, sk: `MULTI#${mac}#${segment}` }),
  segmentsPk: 'SEGMENTS',
  prefix: (vrf: string, prefix: string) => ({ pk: `VRF#${vrf}`, sk: `PFX#${prefix}` }),
  vrfPk: (vrf: string) => `VRF#${vrf}`,
  vrfList: (vrf: string) => ({ pk: 'VRFS', sk: vrf }),
  vrfsPk: 'VRFS',
  /** The VRF list item's attribute for a prefix length of a family ('4' or '6'). */
  lenAttr: (family: 4 | 6, len: number) => `len:${family}/${len}` as const,
  prefixHistory: (vrf: string, prefix: string, atIso: string) => ({ pk: `PHIST#${vrf}#${prefix}`, sk: atIso }),
  prefixHistoryPk: (vrf: string, prefix: string) => `PHIST#${vrf}#${prefix}`,
  routerNote: (router: string, what: { esi: string } | { vrf: string }) => ({
    pk: `RIDX#${router}`,
    sk: 'esi' in what ? `SEG#${what.esi}` : `VRF#${what.vrf}`,
  }),
  routerNotesPk: (router: string) => `RIDX#${router}`,
} as const;
