/** Health uses the peers and VNIs gNMI reports: a peer or VNI down or deleted is a reason, at the rule's severity. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH_OPTIONS } from '../../../../functions/health/options.js';
import { devicePoints, type TelemetrySample } from '../../../../functions/health/telemetry.js';
import { buildFabricView } from '../../../../functions/shared/fabric-health/fabric-view.js';
import { type DeviceItem, healthKeys } from '../../../../schemas/tables/index.js';

const T0 = Date.parse('2026-12-07T05:00:00Z');
let seq = 0;

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
    state: '',
    tsNs: BigInt(rxMs) * 1_000_000n,
    rxMs,
    ord: String(++seq).padStart(20, '0'),
    ...o,
  };
}
const peerState = (atS: number, peer: string, state: string) => sample(atS, { name: 'peer-state', peer, state, endpoint: 'nve1' });

function statusAfter(nowS: number, batches: TelemetrySample[][], rules: Partial<typeof DEFAULT_HEALTH_OPTIONS.rules> = {}) {
  const dev: DeviceItem = { ...healthKeys.device('f1', 'leaf11'), fabric: 'f1', device: 'leaf11', vtep: '', lastRxMs: 0, lastTsMs: 0, version: 0 };
  const changed = batches.map((b) => devicePoints(dev, b, { gnmiIntervalSeconds: 10, clockAheadSeconds: 60, clockBehindSeconds: 480 }).statusInputChanged);
  const view = buildFabricView(
    { fabric: 'f1', items: [dev as unknown as Record<string, unknown>], minutes: [], macs: 0, macsPerVni: {}, movesByMinute: {} },
    { expectedVteps: [], gnmiIntervalSeconds: 10, staleAfterIntervals: 3, rules: { ...DEFAULT_HEALTH_OPTIONS.rules, ...rules } },
    T0 + nowS * 1000,
  );
  return { view, changed };
}

describe('health from gNMI peer and VNI state', () => {
  it('names a remote VTEP peer reported DOWN, and forgets it when it is UP again; each change is a status input', () => {
    const down = statusAfter(5, [[peerState(0, '10.0.0.12', 'UP'), peerState(0, '10.0.0.13', 'UP')], [peerState(2, '10.0.0.12', 'DOWN')]]);
    const up = statusAfter(5, [[peerState(0, '10.0.0.12', 'UP')], [peerState(2, '10.0.0.12', 'DOWN')], [peerState(4, '10.0.0.12', 'UP')]]);

    expect(down.changed).toEqual([true, true]);
    expect(down.view.status).toBe('degraded');
    expect(down.view.reasons).toEqual([`leaf11 reports DOWN remote VTEP 10.0.0.12 (gNMI) since ${new Date(T0 + 2000).toISOString()}`]);
    expect(down.view.tunnels).toEqual([
      {
        device: 'leaf11',
        vtep: '10.0.0.11',
        kind: 'peer',
        key: '10.0.0.12',
        endpoint: 'nve1',
        state: 'DOWN',
        since: new Date(T0 + 2000).toISOString(),
        stale: false,
        lastSeen: null,
      },
    ]);
    expect(up.view.status).toBe('ok');
    expect(up.view.tunnels).toEqual([]);
  });

  it('names a peer and a VNI the device deletes, at the severity health.rules gives them', () => {
    const { view } = statusAfter(
      5,
      [
        [peerState(0, '10.0.0.12', 'UP'), sample(0, { name: 'vni-state', vni: 10100, state: 'UP' })],
        [sample(3, { kind: 'deleted', name: 'peer', peer: '10.0.0.12', endpoint: 'nve1' }), sample(3, { kind: 'deleted', name: 'vni', vni: 10100 })],
      ],
      { peerDown: 'critical' },
    );

    expect(view.status).toBe('critical');
    expect(view.reasons).toEqual([
      `leaf11 deleted remote VTEP 10.0.0.12 (gNMI) since ${new Date(T0 + 3000).toISOString()}`,
      `leaf11 deleted VNI 10100 (gNMI) since ${new Date(T0 + 3000).toISOString()}`,
    ]);
  });

  it('ignores a redelivered older sample, and says nothing of a device whose stream is stale', () => {
    const older = peerState(1, '10.0.0.12', 'DOWN');
    const replay = statusAfter(5, [[peerState(0, '10.0.0.12', 'UP')], [peerState(2, '10.0.0.12', 'UP')], [older]]);
    const stale = statusAfter(600, [[peerState(0, '10.0.0.12', 'DOWN')]]);

    expect(replay.view.tunnels).toEqual([]);
    expect(stale.view.tunnels).toEqual([]);
    expect(stale.view.reasons.some((r) => r.includes('remote VTEP'))).toBe(false);
  });

  it('lets a device silent beyond the retention (1 hour) expire: a removed target does not keep the fabric degraded', () => {
    const stale = statusAfter(600, [[peerState(0, '10.0.0.12', 'UP')]]);
    const gone = statusAfter(3_601, [[peerState(0, '10.0.0.12', 'UP')]]);

    expect(stale.view.reasons).toEqual([expect.stringMatching(/^stale gNMI target leaf11: no sample for 600 s/)]);
    expect(gone.view.status).toBe('ok');
    expect(gone.view.freshness.sources).toEqual([]);
  });

  it('cross-checks type-3 routes against gNMI peers: a VTEP advertising a VNI the device serves, with no tunnel up, is one disagreement', () => {
    const imet = (vtep: string, vnis: number[]) => ({
      ...healthKeys.vtep('f1', vtep),
      fabric: 'f1',
      vtep,
      imet: vnis.length,
      lastChangeMs: T0,
      ...Object.fromEntries(vnis.map((n) => [`v:${n}`, 1])),
    });
    const dev: DeviceItem = { ...healthKeys.device('f1', 'leaf11'), fabric: 'f1', device: 'leaf11', vtep: '', lastRxMs: 0, lastTsMs: 0, version: 0 };
    const feed = (...batches: TelemetrySample[][]) => {
      for (const b of batches) devicePoints(dev, b, { gnmiIntervalSeconds: 10, clockAheadSeconds: 60, clockBehindSeconds: 480 });
      return buildFabricView(
        {
          fabric: 'f1',
          items: [dev as unknown as Record<string, unknown>, imet('10.0.0.11', [10100, 10200]), imet('10.0.0.12', [10100, 10200]), imet('10.0.0.13', [10300])],
          minutes: [],
          macs: 0,
          macsPerVni: {},
          movesByMinute: {},
        },
        { expectedVteps: [], gnmiIntervalSeconds: 10, staleAfterIntervals: 3, rules: DEFAULT_HEALTH_OPTIONS.rules },
        T0 + 5_000,
      );
    };

    const missing = feed([peerState(1, '10.0.0.99', 'UP')]); // leaf11 (VTEP 10.0.0.11) serves 10100 and 10200, reports no tunnel to 10.0.0.12
    const agree = feed([peerState(2, '10.0.0.12', 'UP')]);

    expect(missing.crossCheck.map((c) => [c.vni, c.peer, c.detail])).toEqual([
      [10100, '10.0.0.12', '10.0.0.12 advertises VNI 10100 but leaf11 has no tunnel to it'],
      [10200, '10.0.0.12', '10.0.0.12 advertises VNI 10200 but leaf11 has no tunnel to it'],
    ]);
    expect(missing.status).toBe('degraded');
    expect(missing.reasons).toContain(
      `10.0.0.12 advertises VNI 10100 but leaf11 has no tunnel to it (BMP type-3 route against gNMI, since ${new Date(T0).toISOString()})`,
    );
    expect(agree.crossCheck).toEqual([]);
    expect(agree.status).toBe('ok');
  });

  it('compares remote MACs with like: a device holding 40 % fewer remote MACs than the other VTEPs advertise in a VNI is one disagreement, cleared when they agree', () => {
    // BMP: MAC-only type-2 routes per VTEP and VNI (m:VNI). gNMI: SR Linux vxlan-interface active-entries (mac-count with
    // a VNI and no peer) on leaf11 (VTEP 10.0.0.11), whose own 7 MACs are not "remote".
    const vtepItem = (vtep: string, macs: Record<number, number>) => ({
      ...healthKeys.vtep('f1', vtep),
      fabric: 'f1',
      vtep,
      nh: 1,
      lastChangeMs: T0,
      ...Object.fromEntries(Object.entries(macs).map(([n, c]) => [`m:${n}`, c])),
      // It serves those VNIs: it originates their type-3 routes (a rewritten next hop does not).
      ...(vtep.startsWith('127.') ? {} : Object.fromEntries(Object.keys(macs).map((n) => [`v:${n}`, 1]))),
    });
    const dev: DeviceItem = { ...healthKeys.device('f1', 'leaf11'), fabric: 'f1', device: 'leaf11', vtep: '', lastRxMs: 0, lastTsMs: 0, version: 0 };
    const macCount = (atS: number, vni: number, n: number, peer = '') =>
      sample(atS, { kind: 'gauge', name: 'mac-count', vni, peer, value: BigInt(n), refreshMs: 1000 });
    const feed = (nowS: number, batch: TelemetrySample[], rules: Partial<typeof DEFAULT_HEALTH_OPTIONS.rules> = {}) => {
      devicePoints(dev, batch, { gnmiIntervalSeconds: 10, clockAheadSeconds: 60, clockBehindSeconds: 480 });
      return buildFabricView(
        {
          fabric: 'f1',
          items: [
            dev as unknown as Record<string, unknown>,
            vtepItem('10.0.0.11', { 10100: 7 }),
            vtepItem('10.0.0.12', { 10100: 60 }),
            vtepItem('10.0.0.13', { 10100: 40, 10200: 5 }),
          ],
          minutes: [],
          macs: 0,
          macsPerVni: {},
          movesByMinute: {},
        },
        { expectedVteps: [], gnmiIntervalSeconds: 10, staleAfterIntervals: 3, rules: { ...DEFAULT_HEALTH_OPTIONS.rules, macCountHoldSeconds: 0, ...rules } },
        T0 + nowS * 1000,
      );
    };

    const apart = feed(1, [macCount(1, 10100, 60), macCount(1, 10200, 5)]);
    expect(apart.crossCheck).toEqual([
      {
        kind: 'macs',
        device: 'leaf11',
        vtep: '10.0.0.11',
        vni: 10100,
        peer: '',
        detail: 'leaf11 holds 40 % fewer remote MACs than its peers advertise in VNI 10100 (60 against 100)',
        since: new Date(T0 + 1000).toISOString(),
        deviceMacs: 60,
        advertisedMacs: 100,
      },
    ]);
    expect(apart.status).toBe('degraded');
    expect(apart.reasons).toEqual([
      `leaf11 holds 40 % fewer remote MACs than its peers advertise in VNI 10100 (60 against 100) (BMP type-2 routes against gNMI, since ${new Date(T0 + 1000).toISOString()})`,
    ]);
    expect(apart.vnis.find((v) => v.vni === 10100)?.macCounts).toEqual({
      advertised: { '10.0.0.11': 7, '10.0.0.12': 60, '10.0.0.13': 40 },
      remote: { leaf11: 60 },
    });

    // Within the tolerance (10 % by default; 95 against 100), then configured tighter.
    expect(feed(2, [macCount(2, 10100, 95)]).crossCheck).toEqual([]);
    expect(feed(2, [], { macCountTolerancePercent: 2 }).crossCheck.map((c) => c.detail)).toEqual([
      'leaf11 holds 5 % fewer remote MACs than its peers advertise in VNI 10100 (95 against 100)',
    ]);
    // Held: no disagreement is reported while either figure changed within macCountHoldSeconds.
    expect(feed(3, [macCount(3, 10100, 50)], { macCountHoldSeconds: 30 }).crossCheck).toEqual([]);
    expect(feed(40, [macCount(40, 10100, 50)], { macCountHoldSeconds: 30 }).crossCheck.map((c) => c.deviceMacs)).toEqual([50]);
    // Per-peer counts (SR Linux unicast-destinations) are summed when the device gives no VNI total.
    delete dev.macs;
    const perPeer = feed(41, [macCount(41, 10100, 60, '10.0.0.12'), macCount(41, 10100, 40, '10.0.0.13'), macCount(41, 10200, 5, '10.0.0.13')]);
    expect(perPeer.crossCheck).toEqual([]);
    expect(perPeer.status).toBe('ok');
  });

  it('shows a VTEP whose operator disabled it (OpenConfig enabled = false, vtep-admin-state DOWN) as down', () => {
    const { view, changed } = statusAfter(5, [[sample(0, { name: 'vtep-admin-state', state: 'DOWN' })]]);

    expect(changed).toEqual([true]);
    expect(view.vteps.find((v) => v.vtep === '10.0.0.11')).toMatchObject({ state: 'down', device: 'leaf11' });
  });
});
