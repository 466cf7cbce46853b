/**
 * The rate chain under real clocks and resets: device timestamps checked against the receive time, epochs (gNMI
 * session, last-clear) cutting the chain, series per endpoint and network instance, and the reader's horizon.
 * Pure: the samples go through devicePoints into buckets as applyDeviceSamples stores them, and rates are read from
 * those buckets as the health function reads them.
 */
import { describe, expect, it } from 'vitest';
import { deviceMinuteRates, deviceTimeNs, mergeSample, parseSeries } from '../../../../functions/health/counter-rates.js';
import { DEFAULT_HEALTH_OPTIONS } from '../../../../functions/health/options.js';
import { devicePoints, type TelemetrySample } from '../../../../functions/health/telemetry.js';
import { buildFabricView } from '../../../../functions/shared/fabric-health/fabric-view.js';
import { type DeviceItem, type HealthMinuteItem, healthKeys, minuteOf } from '../../../../schemas/tables/index.js';

const T0 = Date.parse('2026-12-07T05:00:00Z');
const MS = 1_000_000n;
const O = { gnmiIntervalSeconds: 10, clockAheadSeconds: 60, clockBehindSeconds: 480 };
const LIMITS = { maxPacketsPerSecond: 1e10, maxBytesPerSecond: 1e12 };

let seq = 0;
/** A sample received `atS` seconds after T0; the device stamps it `skewS` seconds off, in `unit`. */
function counter(atS: number, value: bigint, o: Partial<TelemetrySample> & { skewS?: number; unit?: 'ns' | 'ms' } = {}): TelemetrySample {
  const rxMs = T0 + atS * 1000;
  const deviceMs = rxMs + (o.skewS ?? 0) * 1000;
  const { skewS: _s, unit, ...rest } = o;
  return {
    fabric: 'f1',
    device: 'leaf11',
    vtep: '10.0.0.11',
    peer: '10.0.0.12',
    vni: 0,
    kind: 'counter',
    name: 'total-encap-pkts',
    value,
    state: '',
    tsNs: unit === 'ms' ? BigInt(deviceMs) : BigInt(deviceMs) * MS,
    rxMs,
    ord: String(++seq).padStart(20, '0'),
    ...rest,
  };
}

function event(atS: number, kind: 'DOWN' | 'CONNECTED' | 'SYNCED'): TelemetrySample {
  return { ...counter(atS, 0n), kind: 'target', name: '', peer: '', target: { kind, errorKind: kind === 'DOWN' ? 'unreachable' : '', detail: '' } };
}

function lastClear(atS: number, when: string, o: Partial<TelemetrySample> = {}): TelemetrySample {
  return { ...counter(atS, 0n, o), kind: 'state', name: 'last-clear', state: when };
}

/** Buckets and per-minute rates of a device fed these batches, as the health function stores and reads them. */
function ratesOf(...batches: TelemetrySample[][]) {
  const dev: DeviceItem = { ...healthKeys.device('f1', 'leaf11'), fabric: 'f1', device: 'leaf11', vtep: '', lastRxMs: 0, lastTsMs: 0, version: 0 };
  const buckets = new Map<string, Record<string, string>>();
  for (const batch of batches) {
    for (const x of devicePoints(dev, batch, O).points) {
      const b = buckets.get(x.minute) ?? {};
      b[x.series] = mergeSample(b[x.series], x.p);
      buckets.set(x.minute, b);
    }
  }
  const minutes = [...buckets.keys()].sort();
  const prevLast = (i: number) => (series: string) => {
    for (let j = i - 1; j >= 0; j--) {
      const s = buckets.get(minutes[j]!)![series];
      if (s) return parseSeries(s).last;
    }
    return undefined;
  };
  const rates = Object.fromEntries(minutes.map((m, i) => [m, deviceMinuteRates('10.0.0.11', buckets.get(m)!, prevLast(i), LIMITS)]));
  return { dev, buckets, minutes, rates };
}

/** 10 packets per second, a sample every 10 s, for `n` samples from `fromS`. */
const steady = (fromS: number, n: number, base: bigint, o: Parameters<typeof counter>[2] = {}) =>
  Array.from({ length: n }, (_, i) => counter(fromS + 10 * i, base + 100n * BigInt(i), o));

describe('device time', () => {
  it('trusts a timestamp up to 1 min ahead and 8 min behind, reads milliseconds as such, and replaces one too far off', () => {
    const rx = BigInt(T0) * MS;
    const [ahead, behind] = [60_000n * MS, 480_000n * MS];
    expect(deviceTimeNs(rx - 5_000n * MS, rx, ahead, behind)).toEqual({ tsNs: rx - 5_000n * MS, fix: '' });
    expect(deviceTimeNs(rx - 420_000n * MS, rx, ahead, behind)).toEqual({ tsNs: rx - 420_000n * MS, fix: '' }); // 7 min late: kept
    expect(deviceTimeNs(BigInt(T0), rx, ahead, behind)).toEqual({ tsNs: rx, fix: 'unit' });
    expect(deviceTimeNs(BigInt(T0 / 1000), rx, ahead, behind)).toEqual({ tsNs: rx, fix: 'unit' });
    expect(deviceTimeNs(rx + 120_000n * MS, rx, ahead, behind)).toEqual({ tsNs: rx, fix: 'skew' });
    expect(deviceTimeNs(rx - 600_000n * MS, rx, ahead, behind)).toEqual({ tsNs: rx, fix: 'skew' });
  });
});

describe('rate chain', () => {
  it('a clock 10 minutes ahead: samples land in the minutes they were received, with rates, counted', () => {
    const { minutes, rates, dev } = ratesOf(steady(0, 12, 1000n, { skewS: 600 }));

    expect(minutes).toEqual([minuteOf(T0), minuteOf(T0 + 60_000)]);
    expect(rates[minuteOf(T0)]!.encapPps).toBe(10);
    expect(rates[minuteOf(T0 + 60_000)]!.encapPps).toBe(10);
    expect(dev.clockFixes).toMatchObject({ skew: 12, unit: 0 });
  });

  it('a clock 10 minutes behind: rates in the current minutes, not 10 minutes back where nobody looks', () => {
    const { minutes, rates, dev } = ratesOf(steady(0, 12, 1000n, { skewS: -600 }));

    expect(minutes).toEqual([minuteOf(T0), minuteOf(T0 + 60_000)]);
    expect(rates[minuteOf(T0 + 60_000)]!.encapPps).toBe(10);
    expect(dev.clockFixes?.skew).toBe(12);
  });

  it('a device sending milliseconds: read as milliseconds, rates right', () => {
    const { minutes, rates, dev } = ratesOf(steady(0, 12, 1000n, { unit: 'ms', skewS: 2 }));

    expect(minutes).toEqual([minuteOf(T0), minuteOf(T0 + 60_000)]);
    expect(rates[minuteOf(T0)]!.encapPps).toBe(10);
    expect(dev.clockFixes).toMatchObject({ unit: 12, skew: 0 });
  });

  it('a reset followed by regrowth past the old value (a reboot: the session drops) is not read as an increase', () => {
    // 1000..1200 at 10 pps; reboot at 25 s; back at 30 s counting from 0, first sample 1500 (150 pps after boot).
    const before = steady(0, 3, 1000n);
    const after = [event(28, 'DOWN'), event(29, 'CONNECTED'), counter(30, 1500n), counter(40, 1600n), counter(50, 1700n)];

    const { rates } = ratesOf([event(-1, 'CONNECTED')], before, after);

    // 0→20 s: +200 over 20 s; 30→50 s: +200 over 20 s: 10 pps. Joining 1200→1500 would add 300 in 10 s (17.5 pps).
    expect(rates[minuteOf(T0)]!.encapPps).toBe(10);
  });

  it('a last-clear change cuts the chain: regrowth after a clear is not an increase', () => {
    const s = (atS: number, v: bigint) => counter(atS, v);

    // Cleared at 25 s and regrown past the old value by 30 s: 5200 → 9000 (+3800 in 10 s) must not count.
    const { rates } = ratesOf(
      [lastClear(0, '2026-12-01T00:00:00.000Z'), s(0, 5000n), s(10, 5100n), s(20, 5200n)],
      [lastClear(30, '2026-12-07T05:00:25.000Z'), s(30, 9000n), s(40, 9100n), s(50, 9200n)],
    );
    const unchanged = ratesOf(
      [lastClear(0, '2026-12-01T00:00:00.000Z'), s(0, 5000n), s(10, 5100n), s(20, 5200n)],
      [lastClear(30, '2026-12-01T00:00:00.000Z'), s(30, 9000n), s(40, 9100n), s(50, 9200n)],
    );

    expect(rates[minuteOf(T0)]!.encapPps).toBe(10);
    expect(unchanged.rates[minuteOf(T0)]!.encapPps).toBe(84); // the same last-clear: the jump is read, (200+3800+200)/50 s
  });

  it('a DOWN and reconnect in the middle: no interval spans the outage, both sides keep their rates', () => {
    const { rates } = ratesOf(
      [event(-1, 'CONNECTED'), ...steady(0, 3, 0n)],
      [event(25, 'DOWN'), event(55, 'CONNECTED'), ...steady(60, 3, 900n)], // 300 s of traffic missed: 200 → 900 would read 23 pps
    );

    expect(rates[minuteOf(T0)]!.encapPps).toBe(10);
    expect(rates[minuteOf(T0 + 60_000)]!.encapPps).toBe(10);
  });

  it('two endpoints reporting the same peer are two series, summed, not one chain jumping between them', () => {
    const nve1 = steady(0, 6, 1_000_000n, { endpoint: 'nve1', networkInstance: 'default' });
    const nve2 = steady(0, 6, 50n, { endpoint: 'nve2', networkInstance: 'default' });
    const interleaved = nve1.flatMap((x, i) => [x, nve2[i]!]);

    const { rates, buckets } = ratesOf(interleaved);

    expect(Object.keys(buckets.get(minuteOf(T0))!)).toHaveLength(2);
    expect(rates[minuteOf(T0)]).toMatchObject({ encapPps: 20, resets: 0 });
  });
});

describe('fabric view rates', () => {
  it('never reads a minute beyond now + 1 minute', () => {
    const now = T0 + 30_000;
    const minute = (ms: number, encapPps: number): HealthMinuteItem => ({
      ...healthKeys.history('f1', minuteOf(ms)),
      fabric: 'f1',
      expiresAt: 0,
      'd:leaf11': { vtep: '10.0.0.11', encapPps, encapBps: null, decapPps: null, decapBps: null, bumPps: null, dropsPps: null, resets: 0, wraps: 0 },
    });
    const device: DeviceItem = {
      ...healthKeys.device('f1', 'leaf11'),
      fabric: 'f1',
      device: 'leaf11',
      vtep: '10.0.0.11',
      lastRxMs: now,
      lastTsMs: now,
      version: 1,
    };

    const view = buildFabricView(
      {
        fabric: 'f1',
        items: [device as unknown as Record<string, unknown>],
        minutes: [minute(T0, 10), minute(T0 + 10 * 60_000, 999)],
        macs: 0,
        macsPerVni: {},
        movesByMinute: {},
      },
      { expectedVteps: [], gnmiIntervalSeconds: 10, staleAfterIntervals: 3, rules: DEFAULT_HEALTH_OPTIONS.rules },
      now,
    );

    expect(view.vteps.find((v) => v.vtep === '10.0.0.11')?.rates).toMatchObject({ encapPps: 10, minute: minuteOf(T0) });
  });
});
