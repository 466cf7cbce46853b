/**
 * `npm start` with gNMI targets in the configuration: the local stack dials them (the reference target over TLS, a
 * password from the environment), publishes their samples to telemetry.vtep.v1, and serves per-target metrics on
 * /metrics. With `collector.gnmic` on, it also reads gnmic's Kafka output (a record written from gnmic's source,
 * test/fixtures/gnmic) into the same topic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../infra/local/stack.js';
import { metricValue } from '../../support/gnmi/collector-harness.js';
import { type GoTarget, notificationJson, startGoTarget } from '../../support/gnmi/go-peers.js';
import { notification, OC_VXLAN, str, uint } from '../../support/gnmi/notifications.js';
import { testPki } from '../../support/tls.js';
import { kafkaClient, uniqueName, waitFor } from '../support/env.js';
import { startTestStack } from '../support/stack.js';
import { VtepReader } from '../support/vtep-reader.js';

describe('local stack with gNMI targets', () => {
  const pki = testPki();
  const device = uniqueName('dc1-leaf31');
  const gnmicTopic = uniqueName('gnmic-telemetry');
  const gnmicDevice = uniqueName('dc1-leaf21');
  const reader = new VtepReader();
  let target: GoTarget;
  let stack: LocalStack;

  beforeAll(async () => {
    process.env.EVPN_LENS_TEST_GNMI_PASSWORD = 'stack-Pa55';
    target = await startGoTarget({
      targets: [device],
      tls: { cert: pki.serverCert, key: pki.serverKey },
      credentials: { username: 'lens', password: 'stack-Pa55' },
    });
    const n = notification(`openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.32]/state`, [
      ['counters/total-decap-pkts', uint(18446744073709551615n)],
      ['peer-state', str('UP')],
    ]);
    await target.send({ update: notificationJson({ ...n, timestamp: null, prefix: { ...n.prefix, target: device } }) }, { sync: device });
    stack = await startTestStack({
      collector: {
        bmp: { listen: '127.0.0.1:0' },
        gnmi: {
          targets: [
            {
              name: device,
              address: target.address,
              fabric: 'dc1',
              username: 'lens',
              passwordEnv: 'EVPN_LENS_TEST_GNMI_PASSWORD',
              tls: { ca: pki.ca, serverName: 'leaf11' },
              subscriptions: ['vxlan'],
            },
          ],
          subscriptions: { vxlan: { mode: 'on-change', paths: ['openconfig:/network-instances'] } },
        },
        gnmic: { enabled: true, topic: gnmicTopic, fabric: 'dc1', devices: { 'leaf21:57400': { name: gnmicDevice } }, refreshSeconds: { vxlan: 10 } },
      },
    });
    await reader.start(); // after the stack: it may have given the topic more partitions
  });

  afterAll(async () => {
    await stack?.stop();
    await reader.stop();
    await target?.stop();
  });

  it('publishes the target’s samples and shows it connected and synced on /metrics', async () => {
    const sample = await reader.waitFor((s) => s.device === device && s.name === 'total-decap-pkts', 'sample on telemetry.vtep.v1');

    expect(sample).toMatchObject({ fabric: 'dc1', value: '18446744073709551615', peer: '10.0.0.32', kind: 'SAMPLE_KIND_COUNTER' });
    const text = await waitFor(async () => {
      const t = await (await fetch(`${stack.apiUrl}/metrics`)).text();
      return metricValue(t, 'evpnlens_gnmi_target_synced', { target: device }) === 1 ? t : undefined;
    }, '/metrics synced');
    expect(metricValue(text, 'evpnlens_gnmi_target_connected', { target: device })).toBe(1);
    expect(metricValue(text, 'evpnlens_gnmi_updates_total', { target: device })).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'evpnlens_gnmi_reconnects_total', { target: device })).toBe(0);
    expect(text).toMatch(new RegExp(`evpnlens_gnmi_last_update_age_seconds\\{target="${device}"\\} [\\d.]+`));
    expect(text).not.toContain('stack-Pa55');
  });

  it("reads gnmic's Kafka output (format event) into telemetry.vtep.v1 when collector.gnmic is on", async () => {
    const producer = kafkaClient('gnmic-fixture').producer();
    await producer.connect();
    const value = readFileSync(join(import.meta.dirname, '../../fixtures/gnmic/srl-event.json'));
    // The input joins its group and starts at the latest offset: sent until one comes through.
    const sample = await waitFor(
      async () => {
        await producer.send({ topic: gnmicTopic, messages: [{ value }] });
        return reader.samples.find((s) => s.device === gnmicDevice && s.name === 'total-decap-bytes');
      },
      'a gnmic sample on telemetry.vtep.v1',
      20_000,
      1_000,
    );
    await producer.disconnect();
    expect(sample).toMatchObject({ fabric: 'dc1', value: '18446744073709551615', peer: '10.0.0.12', refreshIntervalMs: 10_000 });
  });
});
