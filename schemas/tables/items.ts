/** The item shapes of the index table, shared by the MAC-index function (writer) and the API (reader). */

/** One path reporting the MAC: a (router, peer, view, table, path id) advertisement of a type-2 route. */
export interface MacPath {
  /** Identity of the reporting path without the RIB view: several views of one router count once (RFC 7432 §7.2 key). */
  vtep: string;
  esi: string;
  seq: number;
  sticky: boolean;
  fabric: string;
  routers: string[];
  ips: string[];
  /** Event time of the last change of this path, µs since epoch as a decimal string. */
  atUs: string;
  /** Collector sequence of the last event applied to this path: older or repeated events are ignored. */
  ord: string;
  /** A tombstone: withdrawn at `ord`, kept a while so a late replay of an older advertisement cannot revive it. */
  withdrawn?: boolean;
  /** Per-peer header time (ms) of the advertisement: a withdrawal stamped no later than this carries the route's age. */
  routerMs?: number;
}

export interface ActiveAlertRef {
  raisedAtMs: number;
  alertPk: string;
  alertSk: string;
  /** What the raise said, repeated by the clear. */
  fabrics?: string[];
  severity?: AlertSeverity;
}

export interface MacLocation {
  fabric: string;
  vni: number;
  /** The best VTEP (lowest address among equals) and, for a multi-homed Ethernet segment, all VTEPs on it. */
  vtep: string;
  vteps: string[];
  esi: string;
  routers: string[];
  ips: string[];
  sequence: number;
  sticky: boolean;
  /** ISO times: since = when it arrived at this location; lastSeen = last change of any path. */
  since: string;
  lastSeen: string;
}

export interface MacItem {
  pk: string;
  sk: string;
  mac: string;
  /** The VNI, or 0 when the item is keyed by its EVI (segment.ts). */
  vni: number;
  /** The EVI's route target, for a MAC learnt from routes without a VNI (MPLS, SRv6). */
  evi?: string;
  /** Advertising paths by path key ("router|peer|table|pathId|routeKey"); the location is derived from them. */
  paths: Record<string, MacPath>;
  /** Current location; absent when every path is withdrawn (the item is then kept briefly for history). */
  location?: MacLocation;
  /** Event times (ms) of recent moves inside the flap window. */
  recentMoves: number[];
  moveCount: number;
  firstSeen: string;
  version: number;
  gsi1pk?: string;
  gsi1sk?: string;
  gsi2pk?: string;
  gsi2sk?: string;
  /** Alerts raised for this MAC and not cleared yet, by type. */
  activeAlerts: Partial<Record<MacAlertKind, ActiveAlertRef>>;
  /** Since when (ms) two locations have kept equal sequence numbers (duplicate MAC candidate). */
  dupSinceMs?: number;
  /** Where the MAC was when its last path was withdrawn: a new advertisement within the move gap is a move from here. */
  vanished?: VanishedLocation;
  /** Locations recent moves left or reached, by location identity (a flap alert lists them). */
  moveSites?: Record<string, MoveSite>;
  /** Other advertisements of the MAC beside the chosen location (equal sequence: conflicting, a duplicate MAC). */
  competing?: CompetingAdvertisement[];
  /** When the item was last written (ms, event time). */
  updatedMs: number;
  /**
   * The fabric counters' ledger: per source partition (`topic-partition`), the last change of fabric a write from it
   * made and the position (offset, then place in the record) of the record behind it. Written in the item's own conditional write, so a redelivered batch
   * finds the contribution it owes the counters even when the item itself has nothing left to change
   * (functions/mac-index/fabric-counts.ts).
   */
  counted?: Record<string, FabricChange>;
}

export interface FabricChange {
  from?: string;
  to?: string;
  pos: string;
}

export interface VanishedLocation {
  from: MacLocation;
  /** Record time (ms) of the withdrawal: the time of its `disappear` history entry, which a move replaces. */
  atMs: number;
  /** When it happened for the move gap: the router's per-peer timestamp when usable, else the record time. */
  whenMs: number;
}

export interface MoveSite extends AlertLocationItem {
  /** Time (ms) of the last move from or to it. */
  lastMs: number;
}

export interface CompetingAdvertisement {
  fabric: string;
  vtep: string;
  vteps: string[];
  esi: string;
  routers: string[];
  ips: string[];
  sequence: number;
  sticky: boolean;
  lastSeen: string;
  /** Equal sequence number and neither sticky: two hosts may share the MAC (RFC 7432 §15.1), not a move in progress. */
  conflicting: boolean;
}

/**
 * A MAC whose locations keep equal sequence numbers, watched by the sweep until the hold time has passed (raised) or
 * the conflict ended. Present only while there is something to watch.
 */
export interface DupWatchItem {
  pk: string;
  sk: string;
  mac: string;
  vni: number;
  evi?: string;
  sinceMs: number;
}

export interface IpItem {
  pk: string;
  sk: string;
  ip: string;
  mac: string;
  vni: number;
  evi?: string;
  fabric: string;
  atUs: string;
}

export interface HistoryItem {
  pk: string;
  sk: string;
  mac: string;
  vni: number;
  evi?: string;
  at: string;
  from?: MacLocation;
  to?: MacLocation;
  /** 'move' | 'appear' | 'disappear' */
  kind: 'move' | 'appear' | 'disappear';
  expiresAt: number;
}

/** A segment a router reported MACs in (written before the first such MAC item): what its resyncs look through. */
export interface RouterSegmentItem {
  pk: string;
  sk: string;
  router: string;
  vni: number;
  evi?: string;
}

export interface EsMemberItem {
  pk: string;
  sk: string;
  esi: string;
  vtep: string;
  /** false after the per-ES Ethernet A-D route was withdrawn (RFC 7432 §8.2 mass withdrawal). */
  active: boolean;
  atUs: string;
}

/** Every alert type, once (the API's filter, the notifier's routing and the proto's AlertType follow this list). */
export const ALERT_KINDS = ['mac-flap', 'duplicate-mac', 'sticky-move', 'fabric-status'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
/** Alerts about a MAC in a VNI; the others are about a fabric. */
export type MacAlertKind = Exclude<AlertKind, 'fabric-status'>;
/** Severities, lowest first (a sink's minimum severity compares positions in this list). */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** One place an alert's MAC was advertised from. */
export interface AlertLocationItem {
  fabric: string;
  vtep: string;
  vteps?: string[];
  esi: string;
  sequence: number;
  vni?: number;
}

/**
 * A raised alert (and its clear). MAC alerts carry mac and vni; a fabric-status alert carries neither, only its
 * fabric, status and reasons.
 */
export interface AlertItem {
  pk: string;
  sk: string;
  id: string;
  type: AlertKind;
  mac?: string;
  vni?: number;
  /** A MAC alert about a MAC indexed by its EVI (no VNI): the EVI's route target. */
  evi?: string;
  fabric: string;
  fabrics: string[];
  raisedAt: string;
  clearedAt?: string;
  moveCount: number;
  windowSeconds: number;
  detail: string;
  severity?: AlertSeverity;
  /** The locations involved (flap, duplicate), with fabric and VTEP. */
  locations?: AlertLocationItem[];
  /** The locations span more than one fabric. */
  crossFabric?: boolean;
  /** fabric-status: the status entered and why. */
  status?: 'ok' | 'degraded' | 'critical';
  reasons?: string[];
}
