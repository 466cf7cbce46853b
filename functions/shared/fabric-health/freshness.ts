/**
 * Freshness of gNMI devices and of the leaves they report, from the refresh intervals their samples promised
 * (docs/telemetry-vtep.md `refresh_interval_ms`; DeviceItem.refresh, TunnelStateEntry.seenMs).
 */
import type { DeviceItem, TunnelStateEntry } from '../../../schemas/tables/index.js';
import type { ViewOptions } from './fabric-view.js';

/** A gNMI device's freshness at `nowMs` (see buildFabricView). */
export function deviceFreshness(
  d: DeviceItem,
  o: Pick<ViewOptions, 'gnmiIntervalSeconds' | 'staleAfterIntervals'>,
  nowMs: number,
): { fresh: boolean; detail: string } {
  if (d.target?.kind === 'DOWN')
    return { fresh: false, detail: `gNMI stream down (${d.target.errorKind || 'unknown'}${d.target.detail ? `: ${d.target.detail}` : ''})` };
  const silentMs = nowMs - d.lastRxMs;
  const classes = Object.entries(d.refresh ?? {})
    .map(([k, at]) => [Number(k), at] as const)
    .filter(([ms]) => ms > 0)
    .sort(([a], [b]) => a - b);
  const staleMs = o.gnmiIntervalSeconds * o.staleAfterIntervals * 1000;
  if (classes.length === 0) {
    if (silentMs <= staleMs) return { fresh: true, detail: '' };
    return { fresh: false, detail: `no sample for ${Math.round(silentMs / 1000)} s (${o.staleAfterIntervals} intervals of ${o.gnmiIntervalSeconds} s)` };
  }
  // Times are kept to half an interval (telemetry.ts): half an interval more is allowed. Samples that promise no
  // refresh (class 0: ON_CHANGE without heartbeat) keep the device fresh for the configured interval's worth.
  if (classes.some(([ms, at]) => nowMs - at <= ms * o.staleAfterIntervals + ms / 2)) return { fresh: true, detail: '' };
  const unpromised = d.refresh?.['0'];
  if (unpromised !== undefined && nowMs - unpromised <= staleMs + (o.gnmiIntervalSeconds * 1000) / 2) return { fresh: true, detail: '' };
  const sets = classes.map(([ms]) => `${fmtSeconds(ms)} s`).join(', ');
  return {
    fresh: false,
    // The same words as without promised intervals ("no sample for N s (3 intervals of 10 s)"): the interval is the
    // target's own, one per refresh class of its sets.
    detail: `no sample for ${Math.round(silentMs / 1000)} s (${o.staleAfterIntervals} intervals of ${sets})`,
  };
}

const fmtSeconds = (ms: number) => String(Math.round(ms / 100) / 10);

/** Whether a peer's or VNI's state was not refreshed within `staleAfterIntervals` of its own interval. */
export function entryStale(e: TunnelStateEntry, staleAfterIntervals: number, nowMs: number): boolean {
  if (!e.refreshMs || e.seenMs === undefined || e.state === 'DELETED') return false;
  return nowMs - e.seenMs > e.refreshMs * staleAfterIntervals + e.refreshMs / 2;
}
