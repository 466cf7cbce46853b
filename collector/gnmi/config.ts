/** What the gNMI collector is given (infra/config validates the file and builds these). */
import type { NormalizationRule } from './normalize/rule.js';

export type SubscriptionSetMode = 'sample' | 'on-change' | 'target-defined' | 'once' | 'poll';
export type GnmiEncodingName = 'json' | 'json_ietf' | 'proto';

/** A named set of paths subscribed together, on one Subscribe stream (spec §3.5.1). */
export interface SubscriptionSet {
  name: string;
  mode: SubscriptionSetMode;
  /** SAMPLE interval; for once/poll, how often the collector reads again (0: once per connection). */
  sampleIntervalSeconds?: number | undefined;
  heartbeatIntervalSeconds?: number | undefined;
  suppressRedundant?: boolean | undefined;
  updatesOnly?: boolean | undefined;
  encoding?: GnmiEncodingName | undefined;
  /** Paths in the specification's string form; `origin:/path` sets the origin. */
  paths: readonly string[];
}

export interface TargetTls {
  enabled: boolean;
  /** PEM files (read at every connection, so a rotated certificate is picked up). */
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  serverName?: string | undefined;
  skipVerify?: boolean | undefined;
}

export interface GnmiTarget {
  /** Device name in events and metrics. */
  name: string;
  /** host:port */
  address: string;
  fabric: string;
  /** gNMI prefix target (spec §2.2.2.1); defaults to the name. */
  target?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  tls: TargetTls;
  subscriptions: readonly SubscriptionSet[];
  /** The device's local VTEP address, put on its samples when the paths do not name it. */
  vtep?: string | undefined;
  /** gRPC keepalive ping interval for this target (default: the collector's). */
  keepaliveMs?: number | undefined;
  /** The collector task (shard index) that dials this target; default: by hash of the name. */
  shard?: number | undefined;
}

export interface GnmiTimers {
  /** Reconnect backoff: first delay and cap (exponential, with jitter). */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** gRPC keepalive ping interval. grpc-go servers refuse pings more often than every 5 min by default. */
  keepaliveMs: number;
  keepaliveTimeoutMs: number;
  /** How long a new connection may go without any response before it counts as failed (unreachable). */
  connectTimeoutMs: number;
  /** How long a stream may go without sync_response before the collector treats its initial state as complete. */
  syncTimeoutMs: number;
  /** Unit of sampleIntervalSeconds / heartbeatIntervalSeconds (1000; tests shrink it). */
  secondMs: number;
}

export const DEFAULT_TIMERS: GnmiTimers = {
  reconnectMinMs: 1_000,
  reconnectMaxMs: 60_000,
  keepaliveMs: 360_000,
  keepaliveTimeoutMs: 20_000,
  connectTimeoutMs: 30_000,
  syncTimeoutMs: 120_000,
  secondMs: 1_000,
};

export interface GnmiCollectorConfig {
  targets: readonly GnmiTarget[];
  /** Extra normalization rules, tried before the built-in table. */
  normalize?: readonly NormalizationRule[];
  publishUnmapped?: boolean;
  maxMessageBytes?: number;
  timers?: Partial<GnmiTimers>;
  /** This task's share of the targets (static assignment); default: all of them. */
  shard?: { index: number; count: number } | undefined;
}
