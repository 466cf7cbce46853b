/** What the BMP, BGP and EVPN decoders produce. Plain data: the session turns it into Kafka events. */
import type { UpdateError } from './errors.js';

/** RFC 7854 §4.2 per-peer header. */
export interface PerPeerHeader {
  peerType: number; // 0 global, 1 RD, 2 local, 3 Loc-RIB (RFC 9069)
  flags: number;
  /** V flag: the peer address is IPv6. */
  ipv6: boolean;
  /** L flag: post-policy (RFC 7854); for Loc-RIB, F flag (filtered) — RFC 9069 §4.2. */
  postPolicy: boolean;
  /** A flag: legacy 2-byte AS_PATH (RFC 7854 §4.2). */
  legacyAsPath: boolean;
  /** O flag: Adj-RIB-Out (RFC 8671). */
  adjRibOut: boolean;
  distinguisher: string; // RD text, "" when zero
  address: string;
  asn: number;
  bgpId: string;
  timestampUs: bigint;
}

export interface InfoTlv {
  type: number;
  value: string;
}

export interface InitiationMessage {
  kind: 'initiation';
  sysName?: string;
  sysDescr?: string;
  strings: string[];
  tlvs: InfoTlv[];
}

export interface TerminationMessage {
  kind: 'termination';
  reason?: number; // RFC 7854 §4.5: 0 admin close, 1 unspecified, 2 out of resources, 3 redundant, 4 permanently closed
  strings: string[];
}

export interface Capabilities {
  fourOctetAs: boolean;
  /** AS from the 4-octet AS capability, when present. */
  asn4?: number;
  /** "afi/safi" → send/receive mode (1 receive, 2 send, 3 both), RFC 7911 §4. */
  addPath: Map<string, number>;
  multiprotocol: string[];
  codes: number[];
}

export interface OpenMessage {
  version: number;
  asn: number; // my AS (2-byte field; AS_TRANS when 4-octet AS is used)
  holdTime: number;
  bgpId: string;
  capabilities: Capabilities;
}

export interface PeerUpMessage {
  kind: 'peer-up';
  peer: PerPeerHeader;
  localAddress: string;
  localPort: number;
  remotePort: number;
  sentOpen: OpenMessage;
  receivedOpen: OpenMessage;
  /** RFC 9069 §5.3 VRF/Table name, from the information TLVs. */
  tableName?: string;
  info: InfoTlv[];
}

export interface PeerDownMessage {
  kind: 'peer-down';
  peer: PerPeerHeader;
  reason: number; // RFC 7854 §4.9: 1..5, RFC 9069 adds 6 (Loc-RIB no longer monitored), 7 reserved
  notification?: { code: number; subcode: number; data: Buffer };
  fsmEvent?: number;
  tableName?: string;
}

export interface StatEntry {
  type: number;
  /** 32-bit counters and 64-bit gauges as bigint: never lossy. */
  value: bigint;
  afi?: number;
  safi?: number;
  raw?: Buffer;
}

export interface StatsReportMessage {
  kind: 'stats';
  peer: PerPeerHeader;
  stats: StatEntry[];
}

export interface RouteMirroringMessage {
  kind: 'mirroring';
  peer: PerPeerHeader;
  /** BGP messages carried (type 0 TLVs) and information codes (type 1: 0 errored PDU, 1 messages lost). */
  bgpMessages: Buffer[];
  infoCodes: number[];
}

export interface UnknownMessage {
  kind: 'unknown';
  type: number;
  length: number;
}

export interface RouteMonitoringMessage {
  kind: 'route-monitoring';
  peer: PerPeerHeader;
  /** The BGP message bytes, decoded separately with the peer's negotiated options (decodeBgpUpdate). */
  bgp: Buffer;
  /** Offset of `bgp` within the BMP message (for error reports). */
  bgpOffset: number;
  tableName?: string;
}

export type BmpMessage =
  | InitiationMessage
  | TerminationMessage
  | PeerUpMessage
  | PeerDownMessage
  | StatsReportMessage
  | RouteMirroringMessage
  | RouteMonitoringMessage
  | UnknownMessage;

/** ORIGIN … PMSI: the attributes the pipeline uses; anything else is kept raw. */
export interface PathAttributes {
  origin?: number;
  asPath: number[];
  nextHop?: string;
  med?: number;
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
  originatorId?: string;
  clusterList: string[];
  extCommunities: ExtendedCommunities;
  pmsi?: { flags: number; tunnelType: number; label: number; tunnelId: string };
  /** RFC 8669 BGP Prefix-SID attribute, as far as EVPN uses it: the SRv6 service SID (RFC 9252). */
  prefixSid?: PrefixSid;
  raw: { flags: number; type: number; value: Buffer }[];
}

export interface PrefixSid {
  /** RFC 9252 §2: the SRv6 SID of the SRv6 L2 or L3 Service TLV's SID Information sub-TLV. */
  srv6?: Srv6Sid;
}

export interface Srv6Sid {
  /** The 16 SID bytes as sent (a copy). */
  sid: Buffer;
  /** RFC 9252 §4 transposition: `length` bits of the SID at bit `offset` travel in the route's label field. */
  transpositionLength: number;
  transpositionOffset: number;
  /** The L2 (EVPN MAC) or L3 (IP prefix) service TLV. */
  service: 'l2' | 'l3';
}

export interface ExtendedCommunities {
  routeTargets: string[];
  macMobility?: { sticky: boolean; seq: number };
  esiLabel?: { singleActive: boolean; label: number };
  esImportRt?: string;
  routerMac?: string;
  defaultGateway: boolean;
  encapsulations: number[];
  raw: { type: number; value: Buffer }[];
}

export interface EvpnRoute {
  routeType: number;
  /** RFC 7432 §7 route key: identity of the NLRI (for type 2: RD, etag, MAC, IP). */
  key: string;
  pathId: number;
  rd: string;
  esi: string;
  esiType: number;
  ethernetTag: number;
  mac: string;
  ip: string;
  labels: number[];
  originatorIp: string;
  prefix: string;
  gatewayIp: string;
  /** NLRI bytes of a route type this decoder does not know. */
  raw?: Buffer;
  /** The route-type-specific bytes as received (a view into the message: copy what must outlive it). */
  nlri: Buffer;
}

export interface OtherNlri {
  afi: number;
  safi: number;
  bytes: number;
  withdrawn: boolean;
}

export interface DecodedUpdate {
  /** MP_REACH next hop (or NEXT_HOP) of the EVPN routes. */
  attributes: PathAttributes;
  /** EVPN routes of MP_REACH_NLRI; with a treat-as-withdraw error they are to be withdrawn, not advertised. */
  advertised: EvpnRoute[];
  /** EVPN routes of MP_UNREACH_NLRI: honoured whenever that attribute parsed, whatever else was malformed. */
  withdrawn: EvpnRoute[];
  /** What was malformed, each with its RFC 7606 class (undefined when nothing was). */
  errors?: UpdateError[];
  /** EVPN routes of the reserved type 0 (malformed, RFC 7432 §7), skipped by their length and not published. */
  invalidRoutes: number;
  /** End-of-RIB marker (RFC 4724 §2): "afi/safi". */
  endOfRib?: string;
  /** NLRI of other address families, skipped. */
  other: OtherNlri[];
  /** IPv4 unicast NLRI bytes in the UPDATE body (skipped). */
  ipv4Bytes: number;
}

export interface UpdateDecodeOptions {
  /** 4-octet AS_PATH (RFC 6793) negotiated with the peer. */
  fourOctetAs: boolean;
  /** "afi/safi" keys for which ADD-PATH path identifiers are present (RFC 7911). */
  addPath: ReadonlySet<string>;
}
