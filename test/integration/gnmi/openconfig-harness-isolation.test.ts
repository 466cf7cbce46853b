/**
 * Stream isolation against openconfig/gnmi v0.14.1's cache + subscribe server (test/peers/gnmi-target, with
 * --unimplemented answering UNIMPLEMENTED for a chosen path as a device does for a model it lacks): one set the target
 * does not implement leaves the others streaming on the same connection, and a SAMPLE set with nothing to send keeps
 * its session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TIMERS, type Harness, metricValue, startHarness, target, until } from '../../support/gnmi/collector-harness.js';
import { type GoTarget, notificationJson, startGoTarget } from '../../support/gnmi/go-peers.js';
import { notification, OC_VXLAN, str, uint } from '../../support/gnmi/notifications.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const PEER = `openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state`;
const MACS = 'openconfig:/network-instances/network-instance[name=mac-vrf-1]/fdb/mac-table/entries';
const withTarget = (t: string, n: ReturnType<typeof notification>) => ({
  update: notificationJson({ ...n, timestamp: null, prefix: { ...n.prefix, target: t } }),
});
const counter = (t: string, v: bigint) => withTarget(t, notification(PEER, [['counters/total-encap-pkts', uint(v)]]));
const mac = (t: string, m: string) => withTarget(t, notification(MACS, [[`entry[mac-address=${m}][vlan=10]/state/entry-type`, str('DYNAMIC')]]));

async function goTarget(...args: Parameters<typeof startGoTarget>): Promise<GoTarget> {
  const t = await startGoTarget(...args);
  stops.push(t.stop);
  return t;
}

function harness(...args: Parameters<typeof startHarness>): Harness {
  const h = startHarness(...args);
  stops.push(h.stop);
  return h;
}

/** A loaded machine may take over a second to answer the first Subscribe: that is not the failure under test. */
const SLACK = { connectTimeoutMs: 10_000 };

const values = (h: Harness, device: string) =>
  h
    .samples(device)
    .filter((s) => s.name === 'total-encap-pkts')
    .map((s) => s.value);

describe('gNMI stream isolation against the reference target', () => {
  it('keeps the other sets streaming on the same connection when the target does not implement one set', async () => {
    const t = await goTarget({ targets: ['leaf'], unimplemented: ['/System/eps-items'] });
    await t.send(counter('leaf', 1n), mac('leaf', 'aa:00:00:00:00:01'), { sync: 'leaf' });
    const h = harness(
      [
        target('leaf', t.address, {
          subscriptions: [
            // The reference cache matches keys as path elements: each set names its network instance.
            { name: 'openconfig-vxlan', mode: 'on-change', paths: ['openconfig:/network-instances/network-instance[name=default]'] },
            { name: 'openconfig-mac-table', mode: 'on-change', paths: ['openconfig:/network-instances/network-instance[name=mac-vrf-1]'] },
            { name: 'nxos-vxlan', mode: 'sample', sampleIntervalSeconds: 1, paths: ['/System/eps-items/epId-items/Ep-list'] },
          ],
        }),
      ],
      { timers: SLACK },
    );
    await until(() => h.events('leaf').some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), 'synced', 30_000);

    // Long enough for the unimplemented set to be asked again at least twice (reconnectMaxMs apart).
    const until2 = Date.now() + 3 * (FAST_TIMERS.reconnectMaxMs ?? 400);
    let n = 1n;
    await until(
      async () => {
        await t.send(counter('leaf', ++n));
        return Date.now() > until2 && 'done';
      },
      'feeding past two retries',
      30_000,
    );
    await t.send(mac('leaf', 'aa:00:00:00:00:02'));
    await until(() => h.samples('leaf').some((s) => s.name === 'mac-count' && s.value === '2'), 'the MAC table set streaming', 30_000);
    // The reference cache coalesces changes a subscriber has not read yet: the last one arrives, maybe not each.
    await until(() => values(h, 'leaf').includes(String(n)), 'the last counter change', 30_000);

    expect(h.events('leaf').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED', 'TARGET_EVENT_KIND_SYNCED']);
    expect(h.logLines.filter((l) => l.includes('does not implement subscription set nxos-vxlan'))).toHaveLength(1);
    // ON_CHANGE without heartbeat promises no refresh: its samples say 0 (absent), so silence never makes them stale.
    expect(h.samples('leaf').filter((s) => s.kind !== 'SAMPLE_KIND_TARGET' && s.refreshIntervalMs)).toEqual([]);
    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_reconnects_total', { target: 'leaf' })).toBe(0);
    expect(metricValue(text, 'evpnlens_gnmi_subscription_streaming', { target: 'leaf', set: 'nxos-vxlan' })).toBe(-1);
    expect(metricValue(text, 'evpnlens_gnmi_subscription_streaming', { target: 'leaf', set: 'openconfig-vxlan' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_subscription_streaming', { target: 'leaf', set: 'openconfig-mac-table' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_errors_total', { target: 'leaf', kind: 'rejected' })).toBe(1);
  });

  it('keeps the session of a SAMPLE set that has no data for 5 intervals', async () => {
    const t = await goTarget({ targets: ['leaf'] });
    await t.send({ sync: 'leaf' }); // nothing under /interfaces: the set has nothing to send
    const h = harness(
      [
        target('leaf', t.address, {
          subscriptions: [{ name: 'openconfig-interfaces', mode: 'sample', sampleIntervalSeconds: 5, paths: ['openconfig:/interfaces'] }],
        }),
      ],
      { timers: SLACK },
    );
    await until(() => h.events('leaf').some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), 'synced', 30_000);

    const syncedAt = Date.now();
    const interval = 5 * (FAST_TIMERS.secondMs ?? 100);
    await until(() => Date.now() - syncedAt > 5 * interval + interval && 'waited', '5 sample intervals and one more', 10_000);

    expect(h.samples('leaf').filter((s) => s.kind !== 'SAMPLE_KIND_TARGET')).toEqual([]);
    expect(h.events('leaf').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED', 'TARGET_EVENT_KIND_SYNCED']);
    expect(metricValue(await h.metricsText(), 'evpnlens_gnmi_reconnects_total', { target: 'leaf' })).toBe(0);
  });
});
