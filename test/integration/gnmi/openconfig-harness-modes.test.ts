/**
 * The gNMI client against openconfig/gnmi v0.14.1's cache + subscribe server (a grpc-go server with its default
 * keepalive enforcement): ONCE, POLL, STREAM with updates_only, credentials checked by the target, and GOAWAY
 * too_many_pings, each while another target keeps streaming.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, metricValue, startHarness, target, until } from '../../support/gnmi/collector-harness.js';
import { type GoTarget, notificationJson, startGoTarget } from '../../support/gnmi/go-peers.js';
import { notification, OC_VXLAN, uint } from '../../support/gnmi/notifications.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const PEER = `openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state`;
const counter = (t: string, v: bigint) => ({
  update: notificationJson({
    ...notification(PEER, [['counters/total-encap-pkts', uint(v)]]),
    timestamp: null,
    prefix: { ...notification(PEER, []).prefix, target: t },
  }),
});
const ON_CHANGE = { name: 'vxlan', mode: 'on-change' as const, paths: ['openconfig:/network-instances'] };

async function goTarget(targets: string[], extra: Partial<Parameters<typeof startGoTarget>[0]> = {}): Promise<GoTarget> {
  const t = await startGoTarget({ targets, ...extra });
  stops.push(t.stop);
  return t;
}

function harness(...args: Parameters<typeof startHarness>): Harness {
  const h = startHarness(...args);
  stops.push(h.stop);
  return h;
}

/** Keeps feeding a target so that "keeps streaming" can be seen. */
function feed(t: GoTarget, name: string): void {
  let n = 0n;
  const timer = setInterval(() => void t.send(counter(name, ++n)).catch(() => undefined), 100);
  stops.push(async () => clearInterval(timer));
}

const values = (h: Harness, device: string) =>
  h
    .samples(device)
    .filter((s) => s.name === 'total-encap-pkts')
    .map((s) => s.value);

describe('gNMI modes and keepalive against the reference target', () => {
  it('raises the keepalive interval after GOAWAY too_many_pings and reconnects, never touching the other target', async () => {
    const t = await goTarget(['victim', 'steady']);
    await t.send(counter('victim', 1n), { sync: 'victim' }, counter('steady', 1n), { sync: 'steady' });
    feed(t, 'steady');
    // grpc-go refuses pings more often than every 5 min on a connection that sends nothing: a 1 s interval draws GOAWAY.
    const h = harness(
      [target('victim', t.address, { subscriptions: [ON_CHANGE], keepaliveMs: 1_000 }), target('steady', t.address, { subscriptions: [ON_CHANGE] })],
      { timers: { keepaliveTimeoutMs: 5_000 } },
    );

    const down = await until(() => h.events('victim').find((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN'), 'GOAWAY too_many_pings', 30_000);

    expect(down.target.errorKind).toBe('keepalive');
    expect(down.target.detail).toMatch(/Bandwidth exhausted|too_many_pings/);
    await until(() => h.events('victim').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED').length >= 2, 'victim synced again', 10_000);
    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_keepalive_seconds', { target: 'victim' })).toBe(2);
    expect(metricValue(text, 'evpnlens_gnmi_keepalive_seconds', { target: 'steady' })).toBe(360);
    expect(metricValue(text, 'evpnlens_gnmi_errors_total', { target: 'victim', kind: 'keepalive' })).toBeGreaterThanOrEqual(1);
    expect(h.events('steady').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')).toEqual([]);
    const n = values(h, 'steady').length;
    await until(() => values(h, 'steady').length > n + 3, 'steady keeps streaming');
  });

  it('reads with ONCE again every interval and with POLL on every poll', async () => {
    const t = await goTarget(['once', 'poll']);
    await t.send(counter('once', 7n), { sync: 'once' }, counter('poll', 8n), { sync: 'poll' });
    const h = harness([
      target('once', t.address, { subscriptions: [{ name: 'read', mode: 'once', sampleIntervalSeconds: 2, paths: ['openconfig:/network-instances'] }] }),
      target('poll', t.address, { subscriptions: [{ name: 'read', mode: 'poll', sampleIntervalSeconds: 2, paths: ['openconfig:/network-instances'] }] }),
    ]);

    await until(() => values(h, 'once').length >= 3 && values(h, 'poll').length >= 3, 'three reads each');
    await t.send(counter('once', 9n), counter('poll', 10n));
    await until(() => values(h, 'once').includes('9') && values(h, 'poll').includes('10'), 'the new values read');

    expect(values(h, 'once').slice(0, 3)).toEqual(['7', '7', '7']);
    expect(values(h, 'poll').slice(0, 3)).toEqual(['8', '8', '8']);
    // Each sample says how often its set reads again (refresh_interval_ms: 2 intervals of secondMs 100), which health's
    // staleness per target and per leaf uses.
    for (const name of ['once', 'poll'])
      expect(
        new Set(
          h
            .samples(name)
            .filter((s) => s.name === 'total-encap-pkts')
            .map((s) => s.refreshIntervalMs),
        ),
      ).toEqual(new Set([200]));
    for (const name of ['once', 'poll']) {
      expect(
        h.events(name).filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN'),
        name,
      ).toEqual([]);
      expect(
        h.events(name).filter((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'),
        name,
      ).toHaveLength(1);
    }
  });

  it('with updates_only skips the initial state: sync first, then only changes', async () => {
    const t = await goTarget(['leaf']);
    await t.send(counter('leaf', 1n), { sync: 'leaf' });
    const h = harness([target('leaf', t.address, { subscriptions: [{ ...ON_CHANGE, updatesOnly: true }] })]);

    await until(() => h.events('leaf').some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), 'synced');
    await t.send(counter('leaf', 2n));
    await until(() => values(h, 'leaf').length > 0, 'a change');

    expect(values(h, 'leaf')).toEqual(['2']);
  });

  it('sends credentials the reference target checks; a wrong password is "auth", retried, while the other target streams', async () => {
    const t = await goTarget(['good', 'bad'], { credentials: { username: 'gnmi-reader', password: 'Pa55-right' } });
    await t.send(counter('good', 1n), { sync: 'good' }, counter('bad', 1n), { sync: 'bad' });
    feed(t, 'good');
    const h = harness([
      target('good', t.address, { subscriptions: [ON_CHANGE], username: 'gnmi-reader', password: 'Pa55-right' }),
      target('bad', t.address, { subscriptions: [ON_CHANGE], username: 'gnmi-reader', password: 'Pa55-wrong' }),
    ]);

    await until(() => h.events('bad').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN').length >= 2, 'bad retried');
    const n = values(h, 'good').length;
    await until(() => values(h, 'good').length > n + 3, 'good keeps streaming');

    expect(h.events('bad').find((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')?.target.errorKind).toBe('auth');
    expect([...h.logLines, await h.metricsText()].join('\n')).not.toMatch(/Pa55-(right|wrong)/);
    expect(h.samples('good').find((s) => s.name === 'peer-state')).toBeUndefined(); // only what was subscribed and sent
  });
});
