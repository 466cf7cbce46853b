/**
 * Staleness per gNMI target, from the refresh intervals its own samples carry (refresh_interval_ms: its subscription
 * sets' SAMPLE or heartbeat intervals), and stale leaves: a peer or VNI state not refreshed within
 * `staleAfterIntervals` of its own interval is shown stale (kept with its last state; never deleted).
 */
import { describe, expect, it } from 'vitest';
import { refreshIntervalMs } from '../../../../collector/gnmi/client/refresh-interval.js';
import { DEFAULT_HEALTH_OPTIONS } from '../../../../functions/health/options.js';
import { devicePoints, type TelemetrySample } from '../../../../functions/health/telemetry.js';
import { buildFabricView } from '../../../../functions/shared/fabric-health/fabric-view.js';
import { type DeviceItem, healthKeys } from '../../../../schemas/tables/index.js';

const T0 = Date.parse('2026-12-07T05:00:00Z');
let seq = 0;
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

function sample(atS: number, o: Partial<TelemetrySample>): TelemetrySample {
  const rxMs = T0 + atS * 1000;
  return {
    fabric: 'f1',
    device: 'leaf11',
    vtep: '10.0.0.11',
    peer: '',
    vni: 0,
    kind: 'state',
    name: '',
    value: 0n,
    state: 'UP',
    tsNs: BigInt(rxMs) * 1_000_000n,
    rxMs,
    ord: String(++seq).padStart(20, '0'),
    ...o,
  };
}
const peer = (atS: number, address: string, refreshMs: number, state = 'UP') => sample(atS, { name: 'peer-state', peer: address, state, refreshMs });
const counter = (atS: number, refreshMs: number) => sample(atS, { kind: 'counter', name: 'total-encap-pkts', value: BigInt(atS), refreshMs });

function viewAfter(nowS: number, batches: TelemetrySample[][], staleAfterIntervals = 3, rules: Partial<typeof DEFAULT_HEALTH_OPTIONS.rules> = {}) {
  const dev: DeviceItem = { ...healthKeys.device('f1', 'leaf11'), fabric: 'f1', device: 'leaf11', vtep: '', lastRxMs: 0, lastTsMs: 0, version: 0 };
  for (const b of batches) devicePoints(dev, b, { gnmiIntervalSeconds: 10, clockAheadSeconds: 60, clockBehindSeconds: 480 });
  return buildFabricView(
    { fabric: 'f1', items: [dev as unknown as Record<string, unknown>], minutes: [], macs: 0, macsPerVni: {}, movesByMinute: {} },
    { expectedVteps: [], gnmiIntervalSeconds: 10, staleAfterIntervals, rules: { ...DEFAULT_HEALTH_OPTIONS.rules, ...rules } },
    T0 + nowS * 1000,
  );
}
const gnmi = (v: ReturnType<typeof viewAfter>) => v.freshness.sources.find((s) => s.kind === 'gnmi')!;

describe('refresh interval of a subscription set (gNMI spec 3.5.1.5.2)', () => {
  it('is the SAMPLE interval, the heartbeat under suppress_redundant or ON_CHANGE, the re-read period of POLL, else none', () => {
    expect(refreshIntervalMs({ name: 'a', mode: 'sample', sampleIntervalSeconds: 10, paths: [] })).toBe(10_000);
    expect(refreshIntervalMs({ name: 'a', mode: 'sample', sampleIntervalSeconds: 10, heartbeatIntervalSeconds: 60, suppressRedundant: true, paths: [] })).toBe(
      60_000,
    );
    expect(refreshIntervalMs({ name: 'a', mode: 'sample', sampleIntervalSeconds: 10, suppressRedundant: true, paths: [] })).toBe(0);
    expect(refreshIntervalMs({ name: 'a', mode: 'on-change', paths: [] })).toBe(0);
    expect(refreshIntervalMs({ name: 'a', mode: 'on-change', heartbeatIntervalSeconds: 30, paths: [] })).toBe(30_000);
    expect(refreshIntervalMs({ name: 'a', mode: 'poll', sampleIntervalSeconds: 5, paths: [] })).toBe(5_000);
    expect(refreshIntervalMs({ name: 'a', mode: 'sample', sampleIntervalSeconds: 2, paths: [] }, 100)).toBe(200);
  });
});

describe('staleness per gNMI target, from its own sets', () => {
  it('a target whose only set samples every 60 s is fresh 100 s after its last sample; by the global 10 s figure it would be stale', () => {
    const v = viewAfter(100, [[counter(0, 60_000)]]);
    expect(gnmi(v).state).toBe('fresh');
    expect(v.status).toBe('ok');
  });

  it('a target whose set samples every 1 s is stale after 5 s of silence (3 intervals), naming its interval', () => {
    const v = viewAfter(5, [[counter(0, 1000)]]);
    expect(gnmi(v)).toMatchObject({ state: 'stale', detail: 'no sample for 5 s (3 intervals of 1 s)' });
    expect(v.status).toBe('degraded');
  });

  it('stays fresh while any of its sets is within its intervals; stale when all missed theirs', () => {
    const batches = [[counter(0, 1000), peer(0, '10.0.0.12', 60_000)]];
    expect(gnmi(viewAfter(100, batches)).state).toBe('fresh');
    expect(gnmi(viewAfter(220, batches)).state).toBe('stale');
  });

  it('a set that promises no refresh (ON_CHANGE) streaming keeps the device fresh while its SAMPLE set is silent; its leaves are stale', () => {
    const v = viewAfter(20, [[counter(0, 1000), peer(0, '10.0.0.12', 1000)], [counter(18, 0)]]);
    expect(gnmi(v).state).toBe('fresh');
    expect(v.staleLeaves.map((t) => [t.key, t.stale])).toEqual([['10.0.0.12', true]]);
    expect(gnmi(viewAfter(60, [[counter(0, 1000)], [counter(18, 0)]])).state).toBe('stale');
  });

  it('samples that promise no refresh fall back to health.gnmiIntervalSeconds (10 s × 3)', () => {
    expect(gnmi(viewAfter(25, [[counter(0, 0)]])).state).toBe('fresh');
    expect(gnmi(viewAfter(40, [[counter(0, 0)]])).state).toBe('stale');
  });
});

describe('stale leaves', () => {
  it('a peer state not refreshed within 3 of its intervals, while the device stays fresh, is shown stale with its last state; a reason with health.rules.staleLeaf', () => {
    // The peer's set (10 s) stopped at 0 s; the counters' set (1 s) goes on until 50 s.
    const batches = [[peer(0, '10.0.0.12', 10_000), peer(0, '10.0.0.13', 10_000)], ...Array.from({ length: 50 }, (_, i) => [counter(i + 1, 1000)])];
    batches.push([peer(40, '10.0.0.13', 10_000)]);
    const v = viewAfter(50, batches, 3, { staleLeaf: 'degraded' });
    const byDefault = viewAfter(50, batches);

    expect(gnmi(v).state).toBe('fresh');
    expect(v.staleLeaves).toEqual([
      { device: 'leaf11', vtep: '10.0.0.11', kind: 'peer', key: '10.0.0.12', endpoint: '', state: 'UP', since: iso(0), stale: true, lastSeen: iso(0) },
    ]);
    // `tunnels` lists what is not UP (or deleted), as before: a stale UP peer is not there.
    expect(v.tunnels).toEqual([]);
    expect(v.status).toBe('degraded');
    expect(v.reasons).toEqual([`leaf11 remote VTEP 10.0.0.12 stale (gNMI): last reported UP at ${iso(0)}, not refreshed since`]);
    // Off by default (the reference gNMI server resends no unchanged SAMPLE leaf): shown, no reason.
    expect(byDefault.staleLeaves).toHaveLength(1);
    expect(byDefault.status).toBe('ok');
  });

  it('a peer reported DOWN whose state stops coming is in tunnels, marked stale', () => {
    const v = viewAfter(50, [[peer(0, '10.0.0.12', 10_000, 'DOWN')], ...Array.from({ length: 50 }, (_, i) => [counter(i + 1, 1000)])]);
    expect(v.tunnels).toEqual([expect.objectContaining({ key: '10.0.0.12', state: 'DOWN', stale: true })]);
    expect(v.staleLeaves).toEqual(v.tunnels);
  });

  it('is not stale within its intervals, nor when its set promised no refresh (ON_CHANGE: silence means no change)', () => {
    const live = viewAfter(30, [[peer(0, '10.0.0.12', 10_000)], [peer(30, '10.0.0.12', 10_000), counter(30, 1000)]]);
    const onChange = viewAfter(100, [[peer(0, '10.0.0.12', 0)], [counter(100, 1000)]]);
    expect(live.staleLeaves).toEqual([]);
    expect(onChange.staleLeaves).toEqual([]);
    expect(onChange.status).toBe('ok');
  });

  it('a refresh after staleness clears it; a delete is not stale but deleted', () => {
    const refreshed = viewAfter(60, [[peer(0, '10.0.0.12', 10_000)], [peer(58, '10.0.0.12', 10_000), counter(60, 1000)]]);
    const deleted = viewAfter(60, [
      [peer(0, '10.0.0.12', 10_000)],
      [sample(10, { kind: 'deleted', name: 'peer', peer: '10.0.0.12', refreshMs: 10_000 }), counter(60, 1000)],
    ]);
    expect(refreshed.staleLeaves).toEqual([]);
    expect(deleted.tunnels).toEqual([expect.objectContaining({ key: '10.0.0.12', state: 'DELETED', stale: false })]);
    expect(deleted.staleLeaves).toEqual([]);
  });
});
