/**
 * Tunables of the health function and its status rules (`health` in the configuration file), validated once.
 * Every rule names the status it imposes when it fires (`off` disables it); a fabric's status is the worst of its rules.
 */
import { z } from 'zod';
import { DEFAULT_STATUS_RULES as D, DEFAULT_GNMI_INTERVAL_SECONDS, DEFAULT_STALE_AFTER_INTERVALS } from '../shared/fabric-health/status-rules.js';

const ruleStatus = z.enum(['off', 'degraded', 'critical']);

export const healthRulesSchema = z.strictObject({
  /** Any BGP EVPN session reported down (BMP Peer Down) by a connected router. */
  sessionDown: ruleStatus.default(D.sessionDown),
  /** When at least this share (percent) of the fabric's known sessions is down, the status is critical. */
  sessionsDownCriticalPercent: z.number().min(1).max(100).default(D.sessionsDownCriticalPercent),
  /** An expected VTEP (fabrics[].expectedVteps) that no route or gNMI sample shows. */
  vtepMissing: ruleStatus.default(D.vtepMissing),
  /** A VTEP dropping more VXLAN packets per second than `dropsPerSecond` (encap + decap drops, last minute). */
  drops: ruleStatus.default(D.drops),
  dropsPerSecond: z.number().min(0).default(D.dropsPerSecond),
  /** A MAC flapping now (an active mac-flap alert in the fabric). */
  flappingMac: ruleStatus.default(D.flappingMac),
  /** A source gone quiet: a BMP router whose session dropped, a gNMI target down or silent for 3 of its intervals. */
  staleSource: ruleStatus.default(D.staleSource),
  /** A remote VTEP peer a device reports down over gNMI (peer-state), or deletes; shown for a fresh device only. */
  peerDown: ruleStatus.default(D.peerDown),
  /** A VNI a device reports down over gNMI (vni-state), or deletes. */
  vniDown: ruleStatus.default(D.vniDown),
  /** A VTEP that advertises a VNI (type-3 route) to which a device serving that VNI reports no tunnel up over gNMI. */
  crossCheck: ruleStatus.default(D.crossCheck),
  /**
   * A peer or VNI state a fresh device stopped refreshing (not within `staleAfterIntervals` of its set's interval).
   * Off by default (shown in the view's `staleLeaves` all the same): the openconfig/gnmi reference server sends a
   * SAMPLE leaf only when it changes; devices that resend every interval can have it at `degraded`.
   */
  staleLeaf: ruleStatus.default(D.staleLeaf),
  /**
   * A device's remote MACs in a VNI (gNMI mac-count per VNI) against the MACs the other VTEPs advertise in it (BMP:
   * MAC-only type-2 routes): a difference of more than `macCountTolerancePercent` of the larger figure, with neither
   * figure changed for `macCountHoldSeconds` (BMP and gNMI converge at different speeds).
   */
  macCount: ruleStatus.default(D.macCount),
  macCountTolerancePercent: z.number().min(0).max(100).default(D.macCountTolerancePercent),
  macCountHoldSeconds: z.number().min(0).max(86_400).default(D.macCountHoldSeconds),
});

export const healthOptionsSchema = z.strictObject({
  rules: healthRulesSchema.prefault({}),
  /** The scheduled tick (staleness, status re-evaluation): locally a timer, on AWS a schedule. */
  tickSeconds: z.number().min(0.1).max(3600).default(15),
  /**
   * How many of its intervals a gNMI target or leaf may miss before it is stale. The intervals are each target's own
   * (its subscription sets', carried on its samples); `gnmiIntervalSeconds` is for samples that promise none.
   */
  gnmiIntervalSeconds: z.number().min(0.1).max(3600).default(DEFAULT_GNMI_INTERVAL_SECONDS),
  staleAfterIntervals: z.number().int().min(1).max(100).default(DEFAULT_STALE_AFTER_INTERVALS),
  /** A counter decrease is a 64-bit wrap only if the implied rate stays below these; otherwise a reset (no rate). */
  maxPacketsPerSecond: z.number().positive().default(2e10),
  maxBytesPerSecond: z.number().positive().default(2e12),
  /**
   * A device timestamp more than `clockAheadSeconds` after, or `clockBehindSeconds` before, the collector's receive
   * time is not trusted: read in milliseconds, microseconds or seconds when that fits, else replaced by the receive
   * time (and counted on the device item). Behind: 8 minutes keeps a late sample inside the 10 minutes the view reads
   * rates from.
   */
  clockAheadSeconds: z.number().min(1).max(86_400).default(60),
  clockBehindSeconds: z.number().min(1).max(86_400).default(480),
  /** The sample before a minute's first one is looked for this many minutes back. */
  maxGapMinutes: z.number().int().min(1).max(60).default(5),
  /** Counter buckets (device samples per minute) are kept this long; history (rates, churn) for 24 hours. */
  bucketRetentionMinutes: z.number().int().min(10).max(1440).default(120),
  /** With less time than this left (the Lambda context's), no new partition or device starts: the rest is handed back. */
  deadlineReserveMs: z.number().int().min(0).default(10_000),
  /** Distinct route items and counter items written at once per partition (each a round trip on AWS). */
  concurrency: z.number().int().min(1).max(1024).default(32),
});

export type HealthOptions = z.output<typeof healthOptionsSchema>;
export type HealthRules = HealthOptions['rules'];
export const DEFAULT_HEALTH_OPTIONS: HealthOptions = healthOptionsSchema.parse({});

/** What the health function knows of the configured fabrics. */
export interface FabricSpec {
  name: string;
  expectedVteps: string[];
}
