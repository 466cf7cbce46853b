/**
 * The gNMI client against targets written here (grpc-js): SAMPLE timing, heartbeats, dropped streams, bad credentials,
 * undecodable responses and a target that never syncs. In each case the other target keeps streaming and the
 * per-target metrics and events say what happened.
 */
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { FAST_TIMERS, type Harness, metricValue, sampleSet, startHarness, target, until } from '../../../support/gnmi/collector-harness.js';
import { peerCounters, SYNC, update } from '../../../support/gnmi/notifications.js';
import { type SubscribeCall, startTsTarget, type TsTarget } from '../../../support/gnmi/ts-target.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function tsTarget(subscribe: (call: SubscribeCall) => void, extra: Partial<Parameters<typeof startTsTarget>[0]> = {}): Promise<TsTarget> {
  const t = await startTsTarget({ subscribe, ...extra });
  stops.push(t.stop);
  return t;
}

function harness(...args: Parameters<typeof startHarness>): Harness {
  const h = startHarness(...args);
  stops.push(h.stop);
  return h;
}

/** A well-behaved SAMPLE target: the initial counters, sync_response, then a sample every sample_interval (in test seconds). */
function sampling(peer = '10.0.0.2'): (call: SubscribeCall) => void {
  return (call) => {
    const ns = Number(call.request.subscribe?.subscription?.[0]?.sampleInterval ?? 0);
    let n = 0n;
    call.send(update(peerCounters(peer, n)));
    call.send(SYNC);
    const t = setInterval(
      () => {
        if (call.ended) return clearInterval(t);
        call.send(update(peerCounters(peer, ++n)));
      },
      Math.max(5, (ns / 1e9) * (FAST_TIMERS.secondMs ?? 1000)),
    );
    stops.push(async () => clearInterval(t));
  };
}

/**
 * The bystander of each test: ON_CHANGE (no quiet watchdog), so that a loaded machine stalling the event loop cannot
 * make it look quiet; its target still sends every 100 ms.
 */
const bystander = (name: string, address: string) =>
  target(name, address, { subscriptions: [sampleSet({ mode: 'on-change', sampleIntervalSeconds: undefined })] });

/** Two samples of `device` after the current moment: it is (still) streaming. */
async function keepsStreaming(h: Harness, device: string): Promise<void> {
  const from = h.samples(device).length;
  await until(() => h.samples(device).length >= from + 2, `${device} streaming`);
}

describe('gNMI target sessions', () => {
  it('asks for SAMPLE with its interval, heartbeat, suppress_redundant, updates_only, encoding and prefix target; publishes samples and a SYNCED event', async () => {
    const t = await tsTarget(sampling());
    const h = harness([
      target('leaf11', t.address, {
        target: 'leaf11-gnmi',
        subscriptions: [sampleSet({ sampleIntervalSeconds: 0.5, heartbeatIntervalSeconds: 5, suppressRedundant: true, encoding: 'proto' })],
      }),
    ]);

    await until(() => h.samples('leaf11').filter((s) => s.name === 'total-encap-pkts').length >= 3, 'three samples');

    const req = t.calls[0]!.request.subscribe!;
    expect(req.prefix?.target).toBe('leaf11-gnmi');
    expect(req.mode).toBe(0); // STREAM
    expect(req.encoding).toBe(2); // PROTO
    expect(req.subscription?.[0]).toMatchObject({ mode: 2, suppressRedundant: true, path: { origin: 'openconfig', elem: [{ name: 'network-instances' }] } });
    expect(String(req.subscription?.[0]?.sampleInterval)).toBe(String(0.5e9));
    expect(String(req.subscription?.[0]?.heartbeatInterval)).toBe(String(5e9));
    expect(h.events('leaf11').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED', 'TARGET_EVENT_KIND_SYNCED']);
    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_target_connected', { target: 'leaf11' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_target_synced', { target: 'leaf11' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_updates_total', { target: 'leaf11' })).toBeGreaterThanOrEqual(6);
    expect(metricValue(text, 'evpnlens_gnmi_last_update_age_seconds', { target: 'leaf11' })).toBeLessThan(5);
  });

  it('keeps the session of a SAMPLE stream silent for 5 intervals: silence is not a failure', async () => {
    let calls = 0;
    const quiet = await tsTarget((call) => {
      calls++;
      call.send(update(peerCounters('10.0.0.3', BigInt(calls))));
      call.send(SYNC); // then silence: the spec allows it for paths that do not exist yet
    });
    const h = harness([target('quiet', quiet.address, { subscriptions: [sampleSet({ sampleIntervalSeconds: 2 })] })]); // 200 ms

    await until(() => h.events('quiet').some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), 'synced');
    const syncedAt = Date.now();
    await until(() => Date.now() - syncedAt >= 5 * 200 + 200 && 'waited', '5 sample intervals', 5_000);

    expect(calls).toBe(1);
    expect(h.events('quiet').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED', 'TARGET_EVENT_KIND_SYNCED']);
    expect(metricValue(await h.metricsText(), 'evpnlens_gnmi_reconnects_total', { target: 'quiet' })).toBe(0);
  });

  it('resubscribes alone a set the target answers UNIMPLEMENTED, reported once, at the longest backoff; the other set streams on', async () => {
    const unimplemented = (call: SubscribeCall) => call.request.subscribe?.subscription?.[0]?.path?.elem?.[0]?.name === 'System';
    const t = await tsTarget((call) => (unimplemented(call) ? call.end(status.UNIMPLEMENTED, 'path /System not supported') : sampling()(call)));
    const nxos = sampleSet({ name: 'nxos-vxlan', paths: ['/System/eps-items'] });
    const h = harness([target('mixed', t.address, { subscriptions: [sampleSet(), nxos] })]); // reconnectMaxMs 400

    await until(() => t.calls.filter(unimplemented).length >= 3, 'asked again twice');
    await keepsStreaming(h, 'mixed');

    // three asks over at least two longest backoffs: not a tight loop
    const asks = t.calls.filter(unimplemented).map((c) => c.at);
    expect(asks[2]! - asks[0]!).toBeGreaterThanOrEqual(2 * 400 - 50);
    expect(t.calls.filter((c) => !unimplemented(c))).toHaveLength(1); // never resubscribed, never reconnected
    expect(h.events('mixed').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED', 'TARGET_EVENT_KIND_SYNCED']);
    expect(h.logLines.filter((l) => l.includes('does not implement subscription set nxos-vxlan'))).toHaveLength(1);
    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_errors_total', { target: 'mixed', kind: 'rejected' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_subscription_streaming', { target: 'mixed', set: 'nxos-vxlan' })).toBe(-1);
    expect(metricValue(text, 'evpnlens_gnmi_subscription_streaming', { target: 'mixed', set: 'vxlan' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_reconnects_total', { target: 'mixed' })).toBe(0);
  });

  it('resubscribes alone a set whose stream the target ends, with backoff, while the other set streams on', async () => {
    let ended = 0;
    const t = await tsTarget((call) => {
      if (call.request.subscribe?.subscription?.[0]?.path?.elem?.[0]?.name === 'System' && ended++ < 2) {
        setTimeout(() => call.end(status.INTERNAL, 'internal error'), 50);
      }
      sampling(call.request.subscribe?.subscription?.[0]?.path?.elem?.[0]?.name === 'System' ? '10.0.0.8' : '10.0.0.2')(call);
    });
    const h = harness([target('wobbly', t.address, { subscriptions: [sampleSet(), sampleSet({ name: 'second', paths: ['/System/eps-items'] })] })]);

    await until(() => h.samples('wobbly').filter((s) => s.peer === '10.0.0.8').length >= 6 && ended >= 3, 'second set streaming again');

    expect(h.events('wobbly').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')).toEqual([]);
    expect(h.logLines.filter((l) => l.includes('subscription set second failed (ended)'))).toHaveLength(2);
    expect(metricValue(await h.metricsText(), 'evpnlens_gnmi_reconnects_total', { target: 'wobbly' })).toBe(0);
  });

  it('keeps a suppress_redundant stream alive on heartbeats and restarts it after 3 missed heartbeats', async () => {
    let beats = 0;
    let calls = 0;
    const t = await tsTarget((call) => {
      calls++;
      call.send(update(peerCounters('10.0.0.2', 1n)));
      call.send(SYNC);
      if (calls > 1) return;
      // Nothing changes, so suppress_redundant sends only the heartbeat — six of them, twice per interval, then none.
      const timer = setInterval(() => {
        if (++beats > 6 || call.ended) return clearInterval(timer);
        call.send(update(peerCounters('10.0.0.2', 1n)));
      }, 250);
      stops.push(async () => clearInterval(timer));
    });
    const h = harness([
      // heartbeat 5 test seconds = 500 ms: three missed = 1.5 s; the sample interval (100 ms) does not apply
      target('hb', t.address, { subscriptions: [sampleSet({ sampleIntervalSeconds: 1, suppressRedundant: true, heartbeatIntervalSeconds: 5 })] }),
    ]);

    const down = await until(() => h.events('hb').find((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN'), 'DOWN after missed heartbeats');

    expect(beats).toBeGreaterThanOrEqual(6); // the heartbeats kept it up, well past 3 sample intervals
    expect(down.target.errorKind).toBe('quiet');
    expect(down.target.detail).toMatch(/3 heartbeat intervals \(500 ms\)/);
  });

  it('lets an ON_CHANGE stream without a heartbeat stay quiet', async () => {
    const t = await tsTarget((call) => {
      call.send(update(peerCounters('10.0.0.2', 1n)));
      call.send(SYNC);
    });
    const h = harness([target('calm', t.address, { subscriptions: [sampleSet({ mode: 'on-change', sampleIntervalSeconds: undefined })] })]);

    await until(() => h.events('calm').some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), 'synced');
    await new Promise((r) => setTimeout(r, 1_500));

    expect(h.events('calm').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED', 'TARGET_EVENT_KIND_SYNCED']);
    expect(t.calls).toHaveLength(1);
  });

  it('reconnects a stream dropped mid-way and says so; the other target keeps streaming', async () => {
    let calls = 0;
    const flaky = await tsTarget((call) => {
      calls++;
      sampling('10.0.0.4')(call);
      if (calls === 1) setTimeout(() => call.drop(), 300);
    });
    const good = await tsTarget(sampling());
    const h = harness([target('flaky', flaky.address), bystander('good', good.address)]);

    const down = await until(() => h.events('flaky').find((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN'), 'DOWN');
    await until(() => h.events('flaky').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED').length >= 2, 'synced again');

    expect(['unreachable', 'ended', 'malformed']).toContain(down.target.errorKind);
    expect(Number(down.target.retryInMs)).toBeGreaterThan(0);
    await keepsStreaming(h, 'good');
    expect(metricValue(await h.metricsText(), 'evpnlens_gnmi_reconnects_total', { target: 'flaky' })).toBeGreaterThanOrEqual(1);
  });

  it('reports a target ending the stream with an error status, and retries with growing backoff', async () => {
    const t = await tsTarget((call) => call.end(status.INVALID_ARGUMENT, 'unknown path /network-instances'));
    const h = harness([target('strict', t.address)]);

    const downs = await until(() => {
      const d = h.events('strict').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN');
      return d.length >= 3 && d;
    }, 'three DOWN events');

    expect(downs.map((d) => d.target.errorKind)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(downs[0]!.target.detail).toContain('unknown path');
    expect(downs.map((d) => d.target.attempt)).toEqual([1, 2, 3]);
    // backoff with jitter: base 50, 100, 200 ms; each delay between half and all of its base
    const delays = downs.map((d) => Number(d.target.retryInMs));
    expect(delays[0]).toBeGreaterThanOrEqual(25);
    expect(delays[0]).toBeLessThanOrEqual(50);
    expect(delays[2]).toBeGreaterThanOrEqual(100);
    expect(delays[2]).toBeLessThanOrEqual(200);
  });

  it('counts and skips responses that do not decode and updates that make no sense, keeping the stream', async () => {
    const t = await tsTarget((call) => {
      call.send(update(peerCounters('10.0.0.2', 1n)));
      call.sendRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])); // field 1, length beyond the message
      call.send(update(peerCounters('10.0.0.2', 2n, [['counters/total-decap-pkts', { stringVal: 'not a number' }]])));
      call.send(SYNC);
      call.send(update(peerCounters('10.0.0.2', 3n)));
    });
    const h = harness([target('noisy', t.address)]);

    await until(() => h.samples('noisy').some((s) => s.name === 'total-encap-pkts' && s.value === '3'), 'the sample after the garbage');

    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_errors_total', { target: 'noisy', kind: 'notification' })).toBe(2);
    expect(
      h
        .samples('noisy')
        .filter((s) => s.name === 'total-encap-pkts')
        .map((s) => s.value),
    ).toEqual(['1', '2', '3']);
    expect(h.events('noisy').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')).toEqual([]);
  });

  it('keeps streaming a target that never sends sync_response, unsynced, and counts no-sync', async () => {
    const never = await tsTarget((call) => {
      let n = 0n;
      const timer = setInterval(() => (call.ended ? clearInterval(timer) : call.send(update(peerCounters('10.0.0.5', ++n)))), 50);
      stops.push(async () => clearInterval(timer));
    });
    const good = await tsTarget(sampling());
    const h = harness([target('never', never.address), bystander('good', good.address)], { timers: { syncTimeoutMs: 500 } });

    await until(async () => metricValue(await h.metricsText(), 'evpnlens_gnmi_errors_total', { target: 'never', kind: 'no-sync' }) === 1, 'no-sync counted');

    await keepsStreaming(h, 'never');
    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_target_connected', { target: 'never' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_target_synced', { target: 'never' })).toBe(0);
    expect(metricValue(text, 'evpnlens_gnmi_target_synced', { target: 'good' })).toBe(1);
    expect(h.events('never').map((e) => e.target.kind)).toEqual(['TARGET_EVENT_KIND_CONNECTED']);
    expect(h.logLines.some((l) => l.includes('no sync_response'))).toBe(true);
  });

  it('keeps dialing a target that is down, with backoff, until it comes back; the other target keeps streaming', async () => {
    const probe = await tsTarget(sampling('10.0.0.6'));
    const port = probe.port;
    await probe.stop(); // the port is free again: nothing listens there
    const good = await tsTarget(sampling());
    const h = harness([target('down', `127.0.0.1:${port}`), bystander('good', good.address)]);

    await until(() => h.events('down').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN').length >= 3, 'three attempts');
    const downs = h.events('down').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN');
    expect(downs.map((d) => d.target.errorKind)).toEqual(['unreachable', 'unreachable', 'unreachable']);
    expect(downs[0]!.target.detail).toContain('ECONNREFUSED');
    expect(h.logLines.some((l) => l.includes('gNMI target down down (unreachable)'))).toBe(true);
    await keepsStreaming(h, 'good');

    // The target comes back on its address: the next attempt connects and syncs.
    const back = await startTsTarget({ subscribe: sampling('10.0.0.6') }, '127.0.0.1', port);
    stops.push(back.stop);
    await until(() => h.events('down').some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), 'synced once back');
    const text = await h.metricsText();
    expect(metricValue(text, 'evpnlens_gnmi_errors_total', { target: 'down', kind: 'unreachable' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'evpnlens_gnmi_reconnects_total', { target: 'down' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(text, 'evpnlens_gnmi_target_synced', { target: 'down' })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_reconnects_total', { target: 'good' })).toBe(0);
  });
});
