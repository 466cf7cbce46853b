/**
 * How often a subscription set makes the device resend a leaf whose value did not change (ms), so that a consumer can
 * tell a leaf that stopped coming from one that is only quiet (docs/telemetry-vtep.md, `refresh_interval_ms`).
 *
 * - SAMPLE: every `sample_interval` (gNMI spec §3.5.1.5.2), unless `suppress_redundant`, which sends an unchanged
 *   value only at the `heartbeat_interval`.
 * - ON_CHANGE and TARGET_DEFINED: only a heartbeat resends an unchanged value (§3.5.1.5.2); without one, none.
 * - POLL and ONCE: the collector's re-read period (`sampleIntervalSeconds`), 0 for a single read.
 * A sample interval of 0 lets the target choose (§3.5.1.5.2): no promise either.
 */
import type { SubscriptionSet } from '../config.js';

export function refreshIntervalMs(set: SubscriptionSet, secondMs = 1000): number {
  const sample = Math.round((set.sampleIntervalSeconds ?? 0) * secondMs);
  const heartbeat = Math.round((set.heartbeatIntervalSeconds ?? 0) * secondMs);
  switch (set.mode) {
    case 'sample':
      return set.suppressRedundant ? heartbeat : sample;
    case 'on-change':
    case 'target-defined':
      return heartbeat;
    default:
      return sample;
  }
}
