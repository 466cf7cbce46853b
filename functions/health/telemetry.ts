/**
 * gNMI samples of one device (telemetry.vtep.v1, keyed by device: one device's samples share a partition, in order)
 * into its state, its counter buckets and the fabric's minute history.
 *
 * Per batch and device: the device item (latest receive time to half an interval, target session state; rewritten
 * only when one of them changed), the buckets of the minutes the samples fall in (device time), and for each bucket that
 * changed — and for the buckets after it, whose first interval starts at its last sample — the device's rates of that
 * minute, set in the fabric's minute item. Buckets only keep extremes and rates are recomputed from buckets, so
 * duplicates and reordering give the same rates.
 *
 * Which minute and which chain a counter sample belongs to (devicePoints, pure): its device time checked against the
 * receive time (counter-rates.ts deviceTimeNs, counted on the device item), and its epoch: the gNMI session it came in
 * (the latest CONNECTED before it, by collector sequence) and its scope's latest `last-clear` at its time. A chain
 * never joins two epochs, so a reboot or a clear followed by regrowth past the old value is not read as an increase.
 */
import {
  type CounterBucketItem,
  type DeviceItem,
  type DeviceRatesItem,
  healthKeys,
  type MacCountEntry,
  minuteMs,
  minuteOf,
  type TunnelStateEntry,
} from '../../schemas/tables/index.js';
import { deviceMinuteRates, deviceTimeNs, mergeSample, type Point, parseSeries, RATE_COUNTERS, type RateLimits, seriesKey } from './counter-rates.js';
import type { HealthStore, Key } from './health-store.js';

/** A telemetry sample as the health function uses it (decoded from a VtepSample). */
export interface TelemetrySample {
  fabric: string;
  device: string;
  vtep: string;
  peer: string;
  vni: number;
  /** The path's endpoint and network instance, when it has them (part of a counter's series). */
  endpoint?: string;
  networkInstance?: string;
  kind: 'counter' | 'gauge' | 'state' | 'deleted' | 'target' | 'other';
  name: string;
  value: bigint;
  state: string;
  tsNs: bigint;
  rxMs: number;
  /** Collector sequence, fixed-width decimal. */
  ord: string;
  /** How often its subscription set resends it (ms; 0 or absent: no promise). */
  refreshMs?: number;
  target?: { kind: string; errorKind: string; detail: string };
}

export interface TelemetryOptions extends RateLimits {
  gnmiIntervalSeconds: number;
  clockAheadSeconds: number;
  clockBehindSeconds: number;
  maxGapMinutes: number;
  bucketRetentionMinutes: number;
}

export interface DeviceResult {
  /** The device's state changed in a way the status cares about (new, target up/down, VTEP state). */
  statusInputChanged: boolean;
}

const HISTORY_TTL_SECONDS = 25 * 3600;
/** Remembered per device: CONNECTED events, last-clear values per scope, scopes with a last-clear. */
const MAX_CONNECTS = 8;
const MAX_CLEARS = 4;
const MAX_CLEAR_SCOPES = 4096;

export interface DevicePoint {
  minute: string;
  series: string;
  p: Point;
}

/** FNV-1a, 32 bits, base 36: a short stable label for an epoch's parts. */
function label(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

const clearScope = (s: TelemetrySample) => `${s.peer}|${s.vni}|${s.endpoint ?? ''}|${s.networkInstance ?? ''}`;

/** The epoch of a counter sample: its session and its scope's last-clear at its time ("" when neither is known). */
function epochOf(dev: DeviceItem, s: TelemetrySample, tsNs: bigint): string {
  let session = '';
  for (const c of dev.connects ?? []) if (c <= s.ord) session = c;
  let clear = '';
  for (const [at, v] of dev.clears?.[clearScope(s)] ?? []) if (BigInt(at) <= tsNs) clear = v;
  if (!session && !clear) return '';
  return `${session ? label(session) : ''}${clear ? `.${label(clear)}` : ''}`;
}

/** Peers and VNIs remembered per device (a device reporting more keeps its first ones). */
const MAX_OBJECTS = 4096;

/** A receive time to half a refresh interval: an entry is rewritten at most twice an interval. */
const toHalf = (ms: number, refreshMs: number) => {
  const quantum = Math.max(1, Math.floor(refreshMs / 2));
  return Math.floor(ms / quantum) * quantum;
};

/**
 * Applies a peer-state / vni-state sample or a delete to `map[key]`, newest collector sequence wins; true when the
 * state changed. A repeated state refreshes the entry's `seenMs` (stale leaves: fabric-view.ts).
 */
function objectState(map: Record<string, TunnelStateEntry>, key: string, s: TelemetrySample): boolean {
  const cur = map[key];
  if (cur && s.ord <= cur.ord) return false;
  if (!cur && Object.keys(map).length >= MAX_OBJECTS) return false;
  const state = s.kind === 'deleted' ? 'DELETED' : s.state;
  const next: TunnelStateEntry = { state, ord: s.ord, sinceMs: cur?.state === state ? cur.sinceMs : s.rxMs };
  const refreshMs = s.kind === 'deleted' ? 0 : (s.refreshMs ?? 0);
  if (refreshMs > 0) {
    next.refreshMs = refreshMs;
    next.seenMs = Math.max(cur?.refreshMs === refreshMs ? (cur.seenMs ?? 0) : 0, toHalf(s.rxMs, refreshMs));
  }
  // Same state, same refresh (to half an interval): keep the stored entry, so an unchanged item is not rewritten.
  if (cur && cur.state === state && cur.seenMs === next.seenMs && cur.refreshMs === next.refreshMs) return false;
  map[key] = next;
  return cur?.state !== state;
}

/** A mac-count sample (or its delete) into `map[key]`, newest collector sequence wins; rewritten as objectState is. */
function macCount(map: Record<string, MacCountEntry>, key: string, s: TelemetrySample): void {
  const cur = map[key];
  if (cur && s.ord <= cur.ord) return;
  if (s.kind === 'deleted') {
    delete map[key];
    return;
  }
  if (!cur && Object.keys(map).length >= MAX_OBJECTS) return;
  const n = Number(s.value);
  const next: MacCountEntry = { n, ord: s.ord, sinceMs: cur?.n === n ? cur.sinceMs : s.rxMs };
  const refreshMs = s.refreshMs ?? 0;
  if (refreshMs > 0) {
    next.refreshMs = refreshMs;
    next.seenMs = Math.max(cur?.refreshMs === refreshMs ? (cur.seenMs ?? 0) : 0, toHalf(s.rxMs, refreshMs));
  }
  if (cur && cur.n === n && cur.seenMs === next.seenMs && cur.refreshMs === next.refreshMs) return;
  map[key] = next;
}

/** Refresh classes remembered per device (a device whose sets promise more intervals keeps the latest ones). */
const MAX_REFRESH_CLASSES = 8;

/**
 * The refresh class of a sample: its promised interval, to half that interval; a sample that promises none (ON_CHANGE
 * without heartbeat) is class 0, to `q0` (the configured interval's half), so that its activity keeps the device fresh.
 */
function noteRefresh(dev: DeviceItem, s: TelemetrySample, q0: (ms: number) => number): void {
  if (s.kind === 'target') return;
  const ms = Math.max(0, s.refreshMs ?? 0);
  const r = (dev.refresh ??= {});
  const at = ms > 0 ? toHalf(s.rxMs, ms) : q0(s.rxMs);
  if ((r[ms] ?? 0) >= at) return;
  r[ms] = at;
  const classes = Object.entries(r);
  if (classes.length > MAX_REFRESH_CLASSES) {
    classes.sort(([, a], [, b]) => a - b);
    delete r[classes[0]![0]];
  }
}

/**
 * One device's samples into its item (`dev`, updated in place) and the counter points to bucket. Pure: the store is
 * the caller's.
 */
export function devicePoints(
  dev: DeviceItem,
  samples: TelemetrySample[],
  o: Pick<TelemetryOptions, 'gnmiIntervalSeconds' | 'clockAheadSeconds' | 'clockBehindSeconds'>,
) {
  let statusInputChanged = false;
  const points: DevicePoint[] = [];
  let latestVtepTs = -1n;
  const aheadNs = BigInt(Math.round(o.clockAheadSeconds * 1e9));
  const behindNs = BigInt(Math.round(o.clockBehindSeconds * 1e9));
  const timeOf = new Map<TelemetrySample, bigint>();
  for (const s of samples) {
    const t = deviceTimeNs(s.tsNs, BigInt(s.rxMs) * 1_000_000n, aheadNs, behindNs);
    timeOf.set(s, t.tsNs);
    if (t.fix) {
      const f = (dev.clockFixes ??= { unit: 0, skew: 0, lastAtMs: 0 });
      f[t.fix]++;
      f.lastAtMs = Math.max(f.lastAtMs, s.rxMs);
    }
  }
  // Epoch boundaries first: a CONNECTED or a last-clear applies to the samples of its batch that come after it.
  for (const s of samples) {
    if (s.kind === 'target' && s.target?.kind === 'CONNECTED' && !(dev.connects ?? []).includes(s.ord)) {
      dev.connects = [...(dev.connects ?? []), s.ord].sort().slice(-MAX_CONNECTS);
    } else if (s.kind === 'state' && s.name === 'last-clear') {
      const scope = clearScope(s);
      const clears = (dev.clears ??= {});
      if (!clears[scope] && Object.keys(clears).length >= MAX_CLEAR_SCOPES) continue;
      const list = clears[scope] ?? [];
      const at = timeOf.get(s)!;
      let i = list.length;
      while (i > 0 && BigInt(list[i - 1]![0]) > at) i--;
      if (list[i - 1]?.[1] === s.state || list.some(([t]) => BigInt(t) === at)) continue; // no change, or known
      list.splice(i, 0, [String(at), s.state]);
      clears[scope] = list.slice(-MAX_CLEARS);
    }
  }
  // Times kept to half a sample interval: a device item is written at most twice an interval, and what it holds is
  // the same whatever the order its samples came in.
  const quantum = Math.max(1, Math.floor((o.gnmiIntervalSeconds * 1000) / 2));
  const q = (ms: number) => Math.floor(ms / quantum) * quantum;
  for (const s of samples) {
    if (q(s.rxMs) > dev.lastRxMs) dev.lastRxMs = q(s.rxMs);
    noteRefresh(dev, s, q);
    const tsNs = timeOf.get(s)!;
    const tsMs = Number(tsNs / 1_000_000n);
    if (q(tsMs) > dev.lastTsMs) dev.lastTsMs = q(tsMs);
    if (s.vtep && tsNs >= latestVtepTs) {
      latestVtepTs = tsNs;
      if (dev.vtep !== s.vtep) {
        dev.vtep = s.vtep;
        statusInputChanged = true;
      }
    }
    if (s.kind === 'target' && s.target && (!dev.target || s.ord > dev.target.ord)) {
      if (dev.target?.kind !== s.target.kind) statusInputChanged = true;
      dev.target = { ...s.target, ord: s.ord, atMs: s.rxMs };
    } else if (s.kind === 'state' && s.name === 'vtep-state' && !s.peer && !s.vni) {
      if (dev.vtepState !== s.state) statusInputChanged = true;
      dev.vtepState = s.state;
    } else if (s.kind === 'state' && s.name === 'vtep-admin-state' && !s.peer && !s.vni) {
      if (dev.vtepAdminState !== s.state) statusInputChanged = true;
      dev.vtepAdminState = s.state;
    } else if (s.peer && ((s.kind === 'state' && s.name === 'peer-state') || (s.kind === 'deleted' && (s.name === 'peer' || s.name === 'peer-state')))) {
      if (objectState((dev.peers ??= {}), `${s.endpoint ?? ''}|${s.peer}`, s)) statusInputChanged = true;
    } else if (!s.peer && s.vni && ((s.kind === 'state' && s.name === 'vni-state') || (s.kind === 'deleted' && (s.name === 'vni' || s.name === 'vni-state')))) {
      if (objectState((dev.vnis ??= {}), `${s.endpoint ?? ''}|${s.vni}`, s)) statusInputChanged = true;
    } else if (s.vni && s.name === 'mac-count' && (s.kind === 'gauge' || s.kind === 'deleted')) {
      macCount((dev.macs ??= {}), `${s.peer}|${s.vni}`, s);
    } else if (s.kind === 'counter' && RATE_COUNTERS.has(s.name)) {
      points.push({ minute: minuteOf(tsMs), series: seriesKey(s.name, s, epochOf(dev, s, tsNs)), p: { tsNs, value: s.value } });
    }
  }
  // A sample after a target came back means it is up again.
  if (dev.target?.kind === 'DOWN' && samples.some((s) => s.kind === 'counter' && s.ord > dev.target!.ord)) {
    dev.target = { ...dev.target, kind: 'SYNCED', errorKind: '', detail: 'samples resumed' };
    statusInputChanged = true;
  }
  return { points, statusInputChanged };
}

export async function applyDeviceSamples(store: HealthStore, samples: TelemetrySample[], o: TelemetryOptions): Promise<DeviceResult> {
  const { fabric, device } = samples[0]!;
  const key = healthKeys.device(fabric, device);
  const stored = await store.get<DeviceItem>(key);
  const dev: DeviceItem = stored ? structuredClone(stored) : { ...key, fabric, device, vtep: '', lastRxMs: 0, lastTsMs: 0, version: 0 };
  const d = devicePoints(dev, samples, o);
  const points = d.points;
  const statusInputChanged = d.statusInputChanged || !stored;
  const rxMoved = !stored || dev.lastRxMs !== stored.lastRxMs || dev.lastTsMs !== stored.lastTsMs;
  // Peers and VNIs are written when their state changes (statusInputChanged) or their refresh moves by half an
  // interval, not for each repeated sample.
  const refreshMoved =
    JSON.stringify([dev.refresh, dev.peers, dev.vnis, dev.macs]) !== JSON.stringify([stored?.refresh, stored?.peers, stored?.vnis, stored?.macs]);
  const epochsMoved =
    JSON.stringify([dev.connects, dev.clears, dev.clockFixes?.unit, dev.clockFixes?.skew]) !==
    JSON.stringify([stored?.connects, stored?.clears, stored?.clockFixes?.unit, stored?.clockFixes?.skew]);
  if (statusInputChanged || rxMoved || refreshMoved || epochsMoved || dev.vtep !== stored?.vtep)
    await store.put(dev as unknown as DeviceItem & Record<string, unknown>);

  if (points.length === 0) return { statusInputChanged };
  const touched = [...new Set(points.map((x) => x.minute))].sort();
  const gapMs = o.maxGapMinutes * 60_000;
  const from = minuteOf(minuteMs(touched[0]!) - gapMs);
  const to = minuteOf(minuteMs(touched[touched.length - 1]!) + gapMs);
  const pk = healthKeys.bucketPk(fabric, device);
  const loaded = await store.query<CounterBucketItem>(pk, { from, to });
  const buckets = new Map(loaded.map((b) => [b.sk, b]));
  const before = new Map(loaded.map((b) => [b.sk, { version: b.version, s: JSON.stringify(b.s) }]));
  const changed = new Set<string>();
  for (const x of points) {
    let b = buckets.get(x.minute);
    if (!b) {
      b = {
        ...healthKeys.bucket(fabric, device, x.minute),
        fabric,
        device,
        vtep: dev.vtep,
        s: {},
        version: 0,
        expiresAt: Math.floor(minuteMs(x.minute) / 1000) + o.bucketRetentionMinutes * 60,
      };
      buckets.set(x.minute, b);
    }
    const merged = mergeSample(b.s[x.series], x.p);
    if (merged !== b.s[x.series]) {
      b.s[x.series] = merged;
      changed.add(x.minute);
    }
  }
  for (const m of [...changed].sort()) {
    const b = buckets.get(m)!;
    if (dev.vtep) b.vtep = dev.vtep;
    const was = before.get(m);
    if (was && was.s === JSON.stringify(b.s)) continue;
    await store.putVersioned(b, was?.version);
  }

  // Rates: every changed minute, and the next bucket after it within the gap (its first interval starts here).
  const sorted = [...buckets.keys()].sort();
  const derive = new Set<string>();
  for (const m of changed) {
    derive.add(m);
    const next = sorted.find((k) => k > m && minuteMs(k) - minuteMs(m) <= gapMs);
    if (next) derive.add(next);
  }
  for (const m of [...derive].sort()) {
    const b = buckets.get(m)!;
    const earlier = sorted.filter((k) => k < m && minuteMs(m) - minuteMs(k) <= gapMs).reverse();
    const prevLastOf = (series: string): Point | undefined => {
      for (const k of earlier) {
        const s = buckets.get(k)!.s[series];
        if (s) return parseSeries(s).last;
      }
      return undefined;
    };
    const rates = deviceMinuteRates(dev.vtep || b.vtep, b.s, prevLastOf, o);
    // One item per device and minute (a put: this device's partition has one writer at a time), never a shared
    // fabric item that grows with the devices and takes all their writes on one key.
    const item: DeviceRatesItem = {
      ...healthKeys.rates(fabric, device, m),
      fabric,
      device,
      minute: m,
      expiresAt: Math.floor(minuteMs(m) / 1000) + HISTORY_TTL_SECONDS,
      rates,
    };
    await store.put(item as unknown as Key & Record<string, unknown>);
  }
  return { statusInputChanged };
}
