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
 *
 * A reset followed by regrowth past the old value looks like an increase, so the chain is also cut where the device
 * says its counters started over: a series key carries an epoch (the gNMI session the sample came in, and the
 * scope's `last-clear`), and no interval joins two epochs. Keys carry endpoint and network instance too, so two
 * endpoints reporting the same peer stay two series.
 *
 * Device time is trusted only within a tolerance of the receive time (deviceTimeNs): a clock far ahead would put
 * samples in minutes to come, one far behind in minutes nobody reads, and a device sending milliseconds (or seconds)
 * where the spec says nanoseconds would land in 1970.
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

/**
 * The series key of a sample: counter name and scope ("total-encap-pkts|vni|10100", "…|peer|10.0.0.2", "…|device|"),
 * then endpoint and network instance when the sample has them ("…|peer|10.0.0.2|nve1|default"), then the epoch
 * ("…#e3f1"): a new epoch starts a new chain.
 */
export function seriesKey(
  name: string,
  s: { peer?: string | null; vni?: number | null; endpoint?: string | null | undefined; networkInstance?: string | null | undefined },
  epoch = '',
): string {
  const base = s.peer ? `${name}|peer|${s.peer}` : s.vni ? `${name}|vni|${s.vni}` : `${name}|device|`;
  const where = s.endpoint || s.networkInstance ? `|${s.endpoint ?? ''}|${s.networkInstance ?? ''}` : '';
  return `${base}${where}${epoch ? `#${epoch}` : ''}`;
}

export type ClockFix = '' | 'unit' | 'skew';

/** Nanosecond multipliers tried on a device timestamp: as sent, microseconds, milliseconds, seconds. */
const UNIT_SCALES = [1n, 1_000n, 1_000_000n, 1_000_000_000n] as const;

/**
 * The time a sample is bucketed at: the device's timestamp when it is at most `aheadNs` after and `behindNs` before
 * the receive time; the device's timestamp read in a coarser unit when that one is (a device sending milliseconds for
 * nanoseconds: `unit`); otherwise the receive time (`skew`). gNMI spec §2.2.1: timestamps are nanoseconds since the
 * epoch. Ahead and behind differ: a sample cannot be taken after it was received (beyond clock error), while one
 * stamped a while before may have waited in the device.
 */
export function deviceTimeNs(tsNs: bigint, rxNs: bigint, aheadNs: bigint, behindNs: bigint): { tsNs: bigint; fix: ClockFix } {
  if (rxNs <= 0n) return { tsNs, fix: '' };
  for (const scale of UNIT_SCALES) {
    const t = tsNs * scale;
    if (t - rxNs <= aheadNs && rxNs - t <= behindNs) return { tsNs: t, fix: scale === 1n ? '' : 'unit' };
  }
  return { tsNs: rxNs, fix: 'skew' };
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
  const r = seriesIncrease(prevLast, series, maxPerSecond);
  return { rate: r.dtNs > 0n ? Number(r.inc) / (Number(r.dtNs) / 1e9) : null, resets: r.resets, wraps: r.wraps };
}

/** What a series grew by over the intervals of one minute that have a reading, and over how long. */
export function seriesIncrease(
  prevLast: Point | undefined,
  series: string,
  maxPerSecond: number,
): { inc: bigint; dtNs: bigint; resets: number; wraps: number } {
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
  return { inc, dtNs: dt, resets, wraps };
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
  // The epochs of one series (a reconnect or a clear within the minute) make one rate: their increases over their time.
  const perSeries = new Map<string, { inc: bigint; dtNs: bigint }>();
  // Sorted: float sums in one order whatever order the series were stored in.
  for (const [key, series] of Object.entries(bucket).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [name] = key.split('|') as [string];
    if (!RATE_COUNTERS.has(name)) continue;
    const max = name.endsWith('-bytes') ? limits.maxBytesPerSecond : limits.maxPacketsPerSecond;
    const r = seriesIncrease(prevLastOf(key), series, max);
    resets += r.resets;
    wraps += r.wraps;
    if (r.dtNs === 0n) continue;
    const id = key.split('#')[0]!;
    const acc = perSeries.get(id) ?? { inc: 0n, dtNs: 0n };
    perSeries.set(id, { inc: acc.inc + r.inc, dtNs: acc.dtNs + r.dtNs });
  }
  for (const [id, r] of perSeries) {
    const [name, scope] = id.split('|') as [string, string];
    let scopes = perName.get(name);
    if (!scopes) perName.set(name, (scopes = new Map()));
    scopes.set(scope, [...(scopes.get(scope) ?? []), Number(r.inc) / (Number(r.dtNs) / 1e9)]);
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
