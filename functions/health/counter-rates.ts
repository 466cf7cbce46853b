/**
 * Rates from cumulative gNMI counters, kept exact under at-least-once delivery.
 *
 * Samples are kept per device and minute of device time (a counter bucket): for each series (counter name + scope) the
 * earliest and the latest sample of that minute. Merging keeps the extremes, so duplicates and any delivery order give
 * the same bucket, and a late sample lands in its own minute. A minute's rate is read from the chain
 * (latest sample of the series' previous bucket) → (earliest of this minute) → (latest of this minute).
 *
 * A decrease between two samples is a 64-bit wrap only when the earlier value was within 2^63 of 2^64−1 and the
 * implied rate is plausible; otherwise the counter was reset (device restart, clear counters) and that interval gets
 * no rate. An increase that implies an absurd rate gets none either: a rate is never negative nor absurd.
 */
import type { DeviceMinuteRates } from '../../schemas/tables/index.js';

export const U64_MAX = (1n << 64n) - 1n;
const WRAP_WINDOW = 1n << 63n;

export interface Point {
  tsNs: bigint;
  value: bigint;
}

export type Delta = { kind: 'increase' | 'wrap'; inc: bigint } | { kind: 'reset' | 'implausible' };

/** The increase of a counter between two samples `dtNs` apart (dtNs > 0). */
export function counterDelta(prev: bigint, cur: bigint, dtNs: bigint, maxPerSecond: number): Delta {
  const seconds = Number(dtNs) / 1e9;
  if (cur >= prev) {
    const inc = cur - prev;
    return Number(inc) / seconds <= maxPerSecond ? { kind: 'increase', inc } : { kind: 'implausible' };
  }
  if (U64_MAX - prev <= WRAP_WINDOW) {
    // It went through 2^64−1 → 0: what was left to the top, one step to 0, then up to the new value.
    const inc = U64_MAX - prev + 1n + cur;
    if (Number(inc) / seconds <= maxPerSecond) return { kind: 'wrap', inc };
  }
  return { kind: 'reset' };
}

/** "<first ts>|<first value>|<last ts>|<last value>" */
export function parseSeries(s: string): { first: Point; last: Point } {
  const [a, b, c, d] = s.split('|') as [string, string, string, string];
  return { first: { tsNs: BigInt(a), value: BigInt(b) }, last: { tsNs: BigInt(c), value: BigInt(d) } };
}

const before = (a: Point, b: Point) => a.tsNs < b.tsNs || (a.tsNs === b.tsNs && a.value < b.value);

/** Adds a sample to a series of a bucket: keeps the earliest and the latest (ties broken by value, so order never matters). */
export function mergeSample(series: string | undefined, p: Point): string {
  if (!series) return `${p.tsNs}|${p.value}|${p.tsNs}|${p.value}`;
  const { first, last } = parseSeries(series);
  const f = before(p, first) ? p : first;
  const l = before(last, p) ? p : last;
  return `${f.tsNs}|${f.value}|${l.tsNs}|${l.value}`;
}

/** The series key of a sample: counter name and scope ("total-encap-pkts|vni|10100", "…|peer|10.0.0.2", "…|device|"). */
export function seriesKey(name: string, s: { peer?: string | null; vni?: number | null }): string {
  if (s.peer) return `${name}|peer|${s.peer}`;
  if (s.vni) return `${name}|vni|${s.vni}`;
  return `${name}|device|`;
}

/** Which VXLAN counters make which figure (names of schemas/vtep-telemetry.ts VTEP_SAMPLE_NAMES). */
export const RATE_FIGURES = {
  encapPps: ['total-encap-pkts'],
  encapBps: ['total-encap-bytes'],
  decapPps: ['total-decap-pkts'],
  decapBps: ['total-decap-bytes'],
  bumPps: ['bum-encap-pkts', 'bum-decap-pkts'],
  dropsPps: ['drop-encap-pkts', 'drop-decap-pkts'],
} as const satisfies Record<string, readonly string[]>;
export type RateFigure = keyof typeof RATE_FIGURES;
export const RATE_COUNTERS: ReadonlySet<string> = new Set(Object.values(RATE_FIGURES).flat());

export interface RateLimits {
  maxPacketsPerSecond: number;
  maxBytesPerSecond: number;
}

/** Per-series rate of one minute, or null when no interval of the minute had one; and how its decreases were read. */
export function seriesRate(prevLast: Point | undefined, series: string, maxPerSecond: number): { rate: number | null; resets: number; wraps: number } {
  const { first, last } = parseSeries(series);
  const chain = [...(prevLast ? [prevLast] : []), first, ...(last.tsNs !== first.tsNs ? [last] : [])];
  let inc = 0n;
  let dt = 0n;
  let resets = 0;
  let wraps = 0;
  for (let i = 1; i < chain.length; i++) {
    const a = chain[i - 1]!;
    const b = chain[i]!;
    if (b.tsNs <= a.tsNs) continue;
    const d = counterDelta(a.value, b.value, b.tsNs - a.tsNs, maxPerSecond);
    if (!('inc' in d)) {
      resets++;
      continue;
    }
    if (d.kind === 'wrap') wraps++;
    inc += d.inc;
    dt += b.tsNs - a.tsNs;
  }
  return { rate: dt > 0n ? Number(inc) / (Number(dt) / 1e9) : null, resets, wraps };
}

const SCOPE_ORDER = ['device', 'vni', 'peer'] as const;

/**
 * A device's VXLAN rates over one minute, from its bucket of that minute and the latest sample of each series before
 * it. Per counter the widest scope the device reports is used (its device-wide counter, else the sum of its per-VNI
 * counters, else of its per-peer ones), so nothing is counted twice.
 */
export function deviceMinuteRates(
  vtep: string,
  bucket: Record<string, string>,
  prevLastOf: (series: string) => Point | undefined,
  limits: RateLimits,
): DeviceMinuteRates {
  const perName = new Map<string, Map<string, number[]>>(); // name → scope → rates
  let resets = 0;
  let wraps = 0;
  // Sorted: float sums in one order whatever order the series were stored in.
  for (const [key, series] of Object.entries(bucket).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [name, scope] = key.split('|') as [string, string];
    if (!RATE_COUNTERS.has(name)) continue;
    const max = name.endsWith('-bytes') ? limits.maxBytesPerSecond : limits.maxPacketsPerSecond;
    const r = seriesRate(prevLastOf(key), series, max);
    resets += r.resets;
    wraps += r.wraps;
    if (r.rate === null) continue;
    let scopes = perName.get(name);
    if (!scopes) perName.set(name, (scopes = new Map()));
    scopes.set(scope, [...(scopes.get(scope) ?? []), r.rate]);
  }
  const rateOf = (name: string): number | null => {
    const scopes = perName.get(name);
    if (!scopes) return null;
    for (const s of SCOPE_ORDER) {
      const rates = scopes.get(s);
      if (rates?.length) return rates.reduce((a, b) => a + b, 0);
    }
    return null;
  };
  const figure = (names: readonly string[]): number | null => {
    const parts = names.map(rateOf).filter((x): x is number => x !== null);
    return parts.length ? round(parts.reduce((a, b) => a + b, 0)) : null;
  };
  return {
    vtep,
    encapPps: figure(RATE_FIGURES.encapPps),
    encapBps: figure(RATE_FIGURES.encapBps),
    decapPps: figure(RATE_FIGURES.decapPps),
    decapBps: figure(RATE_FIGURES.decapBps),
    bumPps: figure(RATE_FIGURES.bumPps),
    dropsPps: figure(RATE_FIGURES.dropsPps),
    resets,
    wraps,
  };
}

/** Rates are shown, not summed further: three decimals are plenty and keep the stored form stable. */
const round = (x: number) => Math.round(x * 1000) / 1000;
