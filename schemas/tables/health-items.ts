/** The item shapes of the health table, shared by the health function (writer) and the API (reader). */

/** Fabric statuses, best first: a status's position is its rank (the worst rule wins; the metrics export the rank). */
export const FABRIC_STATUSES = ['ok', 'degraded', 'critical'] as const;
export type FabricStatus = (typeof FABRIC_STATUSES)[number];
export const statusRank = (s: FabricStatus): number => FABRIC_STATUSES.indexOf(s);
export const worstStatus = (a: FabricStatus, b: FabricStatus): FabricStatus => (statusRank(b) > statusRank(a) ? b : a);

/** The fabric's status as the health function last evaluated it, and the alert of the current non-ok episode. */
export interface FabricStatusItem {
  pk: string;
  sk: string;
  fabric: string;
  status: FabricStatus;
  reasons: string[];
  /** ISO: when the fabric entered this status. */
  since: string;
  /** ISO: when it was last evaluated. */
  updatedAt: string;
  version: number;
  alert?: { pk: string; sk: string; id: string; raisedAtMs: number };
}

/** A monitored router (BMP session), identified as the collector identifies it: source address and BGP ID. */
export interface RouterItem {
  pk: string;
  sk: string;
  fabric: string;
  router: string;
  address: string;
  bgpId: string;
  sysName: string;
  connected: boolean;
  /** ISO: first event of the current BMP session, or when it was lost. */
  since: string;
  /** Why it is down (Termination reason, TCP loss). */
  detail: string;
  /** Collector sequence of the last event applied (fixed-width decimal). */
  ord: string;
}

/** A BGP session a router reports (BMP Peer Up / Peer Down, RFC 7854 §4.9–4.10). */
export interface SessionItem {
  pk: string;
  sk: string;
  fabric: string;
  router: string;
  peer: string;
  peerAsn: number;
  peerBgpId: string;
  rd: string;
  up: boolean;
  since: string;
  /** The last Peer Down reason, named. */
  reason: string;
  ord: string;
}

/**
 * Live routes per EVPN type, counted from one source partition's events: `t1`…`t5` (and `t0` for other types).
 * `o` is the offset of the last record counted: a redelivered record is never counted twice.
 */
export interface RouteCountItem {
  pk: string;
  sk: string;
  fabric: string;
  o: number;
  [typeCount: `t${number}`]: number;
}

/**
 * A VTEP as the routes show it: `nh` live routes with it as next hop, `imet` live inclusive-multicast routes (type 3)
 * it originated, `v:<vni>` type-3 routes per VNI (the VNIs it serves), `o:<source>` the last record counted per source
 * partition.
 */
export interface VtepRouteItem {
  pk: string;
  sk: string;
  fabric: string;
  vtep: string;
  nh?: number;
  imet?: number;
  /** When a route naming it last appeared or went (ms, record time). */
  lastChangeMs?: number;
  /** `v:VNI`: its type-3 routes in that VNI; `m:VNI`: its MAC-only type-2 routes (MACs) in that VNI; `o:`: watermarks. */
  [counter: `v:${number}` | `m:${number}` | `o:${string}`]: number;
}

/** A gNMI device (target) reporting VXLAN counters. */
export interface DeviceItem {
  pk: string;
  sk: string;
  fabric: string;
  device: string;
  vtep: string;
  /** Latest collector receive time (ms) and device timestamp (ms) of any sample. */
  lastRxMs: number;
  lastTsMs: number;
  /** The latest gNMI session event (TARGET samples), by collector sequence. */
  target?: { kind: string; errorKind: string; detail: string; ord: string; atMs: number };
  /** vtep-state STATE sample, when the device sends it. */
  vtepState?: string;
  /** vtep-admin-state STATE sample (OpenConfig vxlan/state/enabled): a VTEP disabled by its operator forwards nothing either. */
  vtepAdminState?: string;
  /** Collector sequences of the latest gNMI CONNECTED events (ascending): a counter chain never spans two. */
  connects?: string[];
  /** Per counter scope ("peer|vni|endpoint|network instance"), its latest `last-clear` values: [device ns, value]. */
  clears?: Record<string, [string, string][]>;
  /**
   * Remote VTEP peers ("endpoint|peer") and VNIs ("endpoint|vni") as the device reports them over gNMI: the latest
   * peer-state / vni-state (DELETED when the device deleted it), the collector sequence it came with, and since when.
   */
  peers?: Record<string, TunnelStateEntry>;
  vnis?: Record<string, TunnelStateEntry>;
  /**
   * Per refresh interval its samples promised (ms, docs/telemetry-vtep.md `refresh_interval_ms`; 0 excluded): the
   * latest receive time (ms, to half that interval) of such a sample. The device is stale when every one of them is
   * older than `staleAfterIntervals` of its own interval (fabric-view.ts).
   */
  refresh?: Record<string, number>;
  /**
   * MAC counts the device reports per VNI over gNMI (`mac-count` with a VNI): "peer|vni", the peer "" for the VNI's
   * remote MACs (SR Linux vxlan-interface bridge-table), else the MACs behind that remote VTEP.
   */
  macs?: Record<string, MacCountEntry>;
  /** Device timestamps replaced: read in a coarser unit (`unit`), or by the receive time (`skew`). */
  clockFixes?: { unit: number; skew: number; lastAtMs: number };
  version: number;
}

/** A peer's or VNI's latest state on a device, and when it was last refreshed. */
export interface TunnelStateEntry {
  state: string;
  ord: string;
  sinceMs: number;
  /** Latest receive time (ms, to half its refresh interval) of its state sample, and that interval (0: none promised). */
  seenMs?: number;
  refreshMs?: number;
}

/** A MAC count a device reports, since when it has had this value, and when it was last refreshed. */
export interface MacCountEntry {
  n: number;
  ord: string;
  sinceMs: number;
  seenMs?: number;
  refreshMs?: number;
}

/** A MAC alert (evpn.alerts.v1) about this fabric, for "MACs flapping now". */
export interface MacAlertRefItem {
  pk: string;
  sk: string;
  fabric: string;
  type: string;
  mac: string;
  vni: number;
  alertId: string;
  raisedAtMs: number;
  clearedAtMs?: number;
  moveCount: number;
  detail: string;
}

/** VXLAN rates of one device over one minute (per second; null when no interval of the minute had a rate). */
export interface DeviceMinuteRates {
  vtep: string;
  encapPps: number | null;
  encapBps: number | null;
  decapPps: number | null;
  decapBps: number | null;
  bumPps: number | null;
  dropsPps: number | null;
  /** Counter series whose decrease in this minute was a reset (no rate for that interval). */
  resets: number;
  /** Counter series whose decrease was a 64-bit wrap. */
  wraps: number;
}

/**
 * One fabric minute: route churn per source partition (`c:<source>`, with `o:<source>` the last record counted) and the
 * VXLAN rates of each device (`d:<device>`). Expires after a day.
 */
/** One device's rates of one minute (healthKeys.rates): an item per device, so none grows with the fabric. */
export interface DeviceRatesItem {
  pk: string;
  sk: string;
  fabric: string;
  device: string;
  minute: string;
  expiresAt: number;
  rates: DeviceMinuteRates;
}

/**
 * A fabric's minute: route churn per source partition (`c:`, with its offset watermark `o:`). The `d:<device>` rates
 * are no longer stored here (they were, in one item per fabric and minute that grew with the devices); the reader
 * puts each device's DeviceRatesItem of the minute there, so readers see the same shape.
 */
export interface HealthMinuteItem {
  pk: string;
  sk: string;
  fabric: string;
  expiresAt: number;
  [part: `c:${string}` | `o:${string}`]: number;
  [device: `d:${string}`]: DeviceMinuteRates;
}

/** One reporter (router, peer, RIB view, table, path id) of a route; `w` once it withdrew it (kept to reject replays). */
export interface RouteReporter {
  ord: string;
  vtep: string;
  vni: number;
  w?: boolean;
}

/** A route (NLRI) of a fabric and who reports it; live while any reporter has it. */
export interface RouteItem {
  pk: string;
  sk: string;
  fabric: string;
  routeKey: string;
  type: number;
  reps: Record<string, RouteReporter>;
  version: number;
  expiresAt?: number;
}

/**
 * The first and last counter sample (by device timestamp) of each series of one device in one minute:
 * `s[series] = "<first ts ns>|<first value>|<last ts ns>|<last value>"` (uint64 as decimal). A merge keeps the earliest
 * and the latest, so the same samples in any order, repeated or not, give the same bucket.
 */
export interface CounterBucketItem {
  pk: string;
  sk: string;
  fabric: string;
  device: string;
  vtep: string;
  s: Record<string, string>;
  version: number;
  expiresAt: number;
}
