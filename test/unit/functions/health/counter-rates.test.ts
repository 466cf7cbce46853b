import { describe, expect, it } from 'vitest';
import { counterDelta, deviceMinuteRates, mergeSample, seriesRate, U64_MAX } from '../../../../functions/health/counter-rates.js';

const S = 1_000_000_000n; // one second in ns

describe('counter rates', () => {
  it('reads an increase as it is', () => {
    expect(counterDelta(100n, 1100n, 10n * S, 1e9)).toEqual({ kind: 'increase', inc: 1000n });
  });

  it('reads a decrease near 2^64 as a 64-bit wrap when the implied rate is plausible', () => {
    expect(counterDelta(U64_MAX - 999n, 500n, 10n * S, 1e9)).toEqual({ kind: 'wrap', inc: 1500n });
    // within 2^63 of 2^64-1: 2^63 - 1 is, 2^63 - 2 is not
    expect(counterDelta((1n << 63n) - 1n, 0n, 10n * S, 1e30).kind).toBe('wrap');
    expect(counterDelta((1n << 63n) - 2n, 0n, 10n * S, 1e30).kind).toBe('reset');
  });

  it('reads any other decrease as a reset, and an absurd jump as no rate', () => {
    expect(counterDelta(5_000_000_000n, 100n, 10n * S, 1e9)).toEqual({ kind: 'reset' });
    // near the top but the wrap would mean ~2^64 packets in 10 s: a reset
    expect(counterDelta(U64_MAX - 1000n, U64_MAX - 2000n, 10n * S, 1e10)).toEqual({ kind: 'reset' });
    expect(counterDelta(0n, 1n << 62n, 10n * S, 1e10)).toEqual({ kind: 'implausible' });
  });

  it('keeps the earliest and latest sample of a minute, whatever the order and repeats', () => {
    const pts = [
      { tsNs: 30n * S, value: 300n },
      { tsNs: 10n * S, value: 100n },
      { tsNs: 50n * S, value: 500n },
      { tsNs: 30n * S, value: 300n },
    ];
    const a = pts.reduce<string | undefined>((s, p) => mergeSample(s, p), undefined);
    const b = [...pts].reverse().reduce<string | undefined>((s, p) => mergeSample(s, p), undefined);
    expect(a).toBe(b);
    expect(a).toBe(`${10n * S}|100|${50n * S}|500`);
  });

  it('gives a reset interval no rate and keeps the rest of the minute', () => {
    // previous minute ended at 1000; this minute starts at 50 (reset) and ends at 650 thirty seconds later
    const r = seriesRate({ tsNs: 0n, value: 1000n }, `${30n * S}|50|${60n * S}|650`, 1e9);
    expect(r).toEqual({ rate: 20, resets: 1, wraps: 0 });
  });

  it('sums a device from its widest scope only', () => {
    const bucket = {
      'total-encap-pkts|device|': `${0n}|0|${60n * S}|6000`,
      'total-encap-pkts|vni|10': `${0n}|0|${60n * S}|600`,
      'drop-decap-pkts|vni|10': `${0n}|0|${60n * S}|60`,
      'drop-decap-pkts|vni|20': `${0n}|0|${60n * S}|120`,
    };
    const r = deviceMinuteRates('10.0.0.1', bucket, () => undefined, { maxPacketsPerSecond: 1e10, maxBytesPerSecond: 1e12 });
    expect(r).toMatchObject({ vtep: '10.0.0.1', encapPps: 100, dropsPps: 3, decapPps: null });
  });
});
