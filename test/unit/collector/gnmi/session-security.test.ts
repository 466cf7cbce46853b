/**
 * TLS (on by default, CA, mutual TLS, server name, skipVerify), credentials as per-RPC metadata, and targets that
 * refuse TLS, reject the credentials or send garbage frames: each reported as a log line, a metric and an event naming
 * the target, retried, while the other target keeps streaming. Credentials never appear in a log line, an error, an
 * event or a metric, even when a target echoes them back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GnmiTarget } from '../../../../collector/gnmi/config.js';
import { FAST_TIMERS, type Harness, metricValue, startHarness, target, until } from '../../../support/gnmi/collector-harness.js';
import { startBadFramesTarget, startNotHttp2Target } from '../../../support/gnmi/garbage-target.js';
import { peerCounters, SYNC, update } from '../../../support/gnmi/notifications.js';
import { type SubscribeCall, startTsTarget, type TsTargetOptions } from '../../../support/gnmi/ts-target.js';
import { testPki } from '../../../support/tls.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

const USER = 'telemetry-user-Zq7';
const PASSWORD = 'S3cr3t-Pa55-xyz';

function streaming(call: SubscribeCall): void {
  let n = 0n;
  call.send(update(peerCounters('10.0.0.2', n)));
  call.send(SYNC);
  const t = setInterval(() => (call.ended ? clearInterval(t) : call.send(update(peerCounters('10.0.0.2', ++n)))), 50);
  stops.push(async () => clearInterval(t));
}

async function tsTarget(o: Partial<TsTargetOptions> = {}) {
  const t = await startTsTarget({ subscribe: streaming, ...o });
  stops.push(t.stop);
  return t;
}

function harness(targets: GnmiTarget[]): Harness {
  const h = startHarness(targets, { timers: { ...FAST_TIMERS, secondMs: 1_000 } });
  stops.push(h.stop);
  return h;
}

const firstDown = (h: Harness, name: string) => until(() => h.events(name).find((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN'), `${name} DOWN`);
const synced = (h: Harness, name: string) => until(() => h.events(name).some((e) => e.target.kind === 'TARGET_EVENT_KIND_SYNCED'), `${name} synced`);

describe('gNMI TLS and credentials', () => {
  it('streams over TLS with a CA and server name, over mutual TLS, and with skipVerify', async () => {
    const pki = testPki();
    const server = { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) };
    const tls = await tsTarget({ tls: server });
    const mtls = await tsTarget({ tls: { ...server, clientCa: pki.read(pki.ca) } });
    const h = harness([
      target('tls', tls.address, { tls: { enabled: true, ca: pki.ca, serverName: 'leaf11' } }),
      target('mtls', mtls.address, { tls: { enabled: true, ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } }),
      target('skip', tls.address, { tls: { enabled: true, ca: pki.otherCa, skipVerify: true } }),
    ]);

    for (const name of ['tls', 'mtls', 'skip']) await synced(h, name);

    expect(h.events().filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')).toEqual([]);
  });

  it('reports TLS failures as kind "tls" and retries them: wrong CA, wrong server name, no client certificate, TLS to a plaintext target', async () => {
    const pki = testPki();
    const server = { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) };
    const tls = await tsTarget({ tls: server });
    const mtls = await tsTarget({ tls: { ...server, clientCa: pki.read(pki.ca) } });
    const plain = await tsTarget();
    const good = await tsTarget();
    const h = harness([
      target('wrong-ca', tls.address, { tls: { enabled: true, ca: pki.otherCa } }),
      target('wrong-name', tls.address, { tls: { enabled: true, ca: pki.ca, serverName: 'leaf99' } }),
      target('no-client-cert', mtls.address, { tls: { enabled: true, ca: pki.ca } }),
      target('tls-to-plain', plain.address, { tls: { enabled: true, ca: pki.ca } }),
      target('good', good.address),
    ]);

    for (const name of ['wrong-ca', 'wrong-name', 'no-client-cert', 'tls-to-plain']) {
      const down = await firstDown(h, name);
      expect(down.target.errorKind, name).toBe('tls');
      await until(() => h.events(name).filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN').length >= 2, `${name} retried`);
    }
    const text = await h.metricsText();
    for (const name of ['wrong-ca', 'wrong-name', 'no-client-cert', 'tls-to-plain']) {
      expect(metricValue(text, 'evpnlens_gnmi_errors_total', { target: name, kind: 'tls' }), name).toBeGreaterThanOrEqual(2);
      expect(metricValue(text, 'evpnlens_gnmi_target_connected', { target: name })).toBe(0);
      expect(h.logLines.some((l) => l.includes(`gNMI target ${name} down (tls)`))).toBe(true);
    }
    expect(h.events('good').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')).toEqual([]);
    const n = h.samples('good').length;
    await until(() => h.samples('good').length > n + 2, 'good keeps streaming');
  });

  it('reports a plaintext collector against a TLS-only target as unreachable with a hint', async () => {
    const pki = testPki();
    const tls = await tsTarget({ tls: { cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) } });
    const h = harness([target('needs-tls', tls.address, { tls: { enabled: false } })]);

    const down = await firstDown(h, 'needs-tls');

    expect(down.target.errorKind).toBe('unreachable');
    expect(down.target.detail).toContain('does the target require TLS?');
  });

  it('sends credentials as per-RPC metadata; rejected credentials are kind "auth", retried, and never appear in logs, errors, events or metrics', async () => {
    const echoing = await tsTarget({ credentials: { username: USER, password: `${PASSWORD}-other`, echo: true } });
    const accepting = await tsTarget({ credentials: { username: USER, password: PASSWORD } });
    const h = harness([
      target('rejects', echoing.address, { username: USER, password: PASSWORD }),
      target('accepts', accepting.address, { username: USER, password: PASSWORD }),
    ]);

    const down = await firstDown(h, 'rejects');
    await until(() => h.events('rejects').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN').length >= 3, 'retried twice');
    await synced(h, 'accepts');

    expect(down.target.errorKind).toBe('auth');
    expect(down.target.detail).toContain('bad credentials'); // the target's message, with what it echoed masked
    expect(accepting.calls[0]!.metadata).toMatchObject({ username: USER, password: PASSWORD });
    const session = h.collector.sessions.find((s) => s.name === 'rejects')!;
    const everything = [
      ...h.logLines,
      await h.metricsText(),
      JSON.stringify(h.publisher.events),
      JSON.stringify(session.lastError),
      session.lastError?.detail ?? '',
    ].join('\n');
    expect(everything).toContain('rejects'); // the target is named...
    expect(everything).not.toContain(PASSWORD); // ...its credentials are not
    expect(everything).not.toContain(USER);
    expect(metricValue(await h.metricsText(), 'evpnlens_gnmi_errors_total', { target: 'rejects', kind: 'auth' })).toBeGreaterThanOrEqual(3);
  });

  it('reports garbage below gNMI (broken gRPC frames, a peer that is not HTTP/2) as kind "malformed", retried; the other target keeps streaming', async () => {
    const frames = await startBadFramesTarget();
    const notHttp2 = await startNotHttp2Target();
    stops.push(frames.stop, notHttp2.stop);
    const good = await tsTarget();
    const h = harness([target('bad-frames', frames.address), target('not-http2', notHttp2.address), target('good', good.address)]);

    for (const name of ['bad-frames', 'not-http2']) {
      const down = await firstDown(h, name);
      expect(down.target.errorKind, name).toBe('malformed');
      await until(() => h.events(name).filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN').length >= 2, `${name} retried`);
      expect(metricValue(await h.metricsText(), 'evpnlens_gnmi_errors_total', { target: name, kind: 'malformed' })).toBeGreaterThanOrEqual(2);
    }
    await synced(h, 'good');
    expect(h.events('good').filter((e) => e.target.kind === 'TARGET_EVENT_KIND_DOWN')).toEqual([]);
  });
});
