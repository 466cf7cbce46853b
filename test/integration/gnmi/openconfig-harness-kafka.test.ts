/**
 * The gNMI collector against openconfig/gnmi v0.14.1's own cache + subscribe server (test/peers/gnmi-target) over TLS
 * and mutual TLS, and its fake_server over TLS, publishing to the real Kafka broker: VXLAN peer and VNI counters read
 * back from telemetry.vtep.v1 decoded and exact, including a counter at 2^64-1 that wraps.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GnmiTarget, SubscriptionSet } from '../../../collector/gnmi/config.js';
import { type GnmiCollector, startGnmiCollector } from '../../../collector/gnmi/gnmi-collector.js';
import type { EventPublisher } from '../../../collector/index.js';
import { createKafkaPublisher } from '../../../collector/index.js';
import { createCollectorMetrics } from '../../../collector/metrics.js';
import { type GoTarget, notificationJson, startFakeServer, startGoTarget } from '../../support/gnmi/go-peers.js';
import { notification, OC_VXLAN, SYNC, str, uint, update } from '../../support/gnmi/notifications.js';
import { testPki } from '../../support/tls.js';
import { brokers, uniqueName } from '../support/env.js';
import { VtepReader } from '../support/vtep-reader.js';

const MAX = 18446744073709551615n;
const ON_CHANGE: SubscriptionSet = { name: 'vxlan', mode: 'on-change', paths: ['openconfig:/network-instances'] };

describe('gNMI collector → Kafka with the openconfig/gnmi reference servers', () => {
  const pki = testPki();
  const leafTls = uniqueName('dc1-leaf11');
  const leafMtls = uniqueName('dc1-leaf12');
  const leafFake = uniqueName('dc2-leaf21');
  const reader = new VtepReader();
  let tlsTarget: GoTarget;
  let mtlsTarget: GoTarget;
  let fake: GoTarget;
  let publisher: EventPublisher;
  let collector: GnmiCollector;

  const peerPrefix = (peer: string) => `openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=${peer}]/state`;
  const vniPrefix = (vni: number) => `openconfig:${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni=${vni}]/state`;
  const cmd = (target: string, n: ReturnType<typeof notification>) => ({
    update: notificationJson({ ...n, prefix: { ...n.prefix, target }, timestamp: null }),
  });

  beforeAll(async () => {
    await reader.start();
    tlsTarget = await startGoTarget({ targets: [leafTls], tls: { cert: pki.serverCert, key: pki.serverKey } });
    mtlsTarget = await startGoTarget({ targets: [leafMtls], tls: { cert: pki.serverCert, key: pki.serverKey, clientCa: pki.ca } });
    // The initial state: counters one below 2^64-1, VNI counters and state, then sync.
    for (const [t, name] of [
      [tlsTarget, leafTls],
      [mtlsTarget, leafMtls],
    ] as const) {
      await t.send(
        cmd(
          name,
          notification(peerPrefix('10.0.0.12'), [
            ['counters/total-encap-pkts', uint(MAX - 1n)],
            ['counters/total-decap-bytes', uint(1_000n)],
            ['peer-state', str('UP')],
          ]),
        ),
        // openconfig-evpn 2024-08-14: per-VNI counters are per address family (endpoint-vni/ipv4/state/counters).
        cmd(name, notification(`${vniPrefix(10100).replace(/\/state$/, '')}/ipv4/state`, [['counters/total-decap-pkts', uint(MAX)]])),
        cmd(name, notification(vniPrefix(10100), [['vni-state', str('UP')]])),
        { sync: name },
      );
    }
    fake = await startFakeServer({
      target: leafFake,
      cert: pki.serverCert,
      key: pki.serverKey,
      clientCa: pki.ca,
      responses: [
        update(
          notification(`openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.2.0.1]/state`, [['counters/bum-encap-pkts', uint(MAX)]], {
            timestampNs: 1_732_480_000_123_456_789n,
          }),
        ),
        SYNC,
      ],
    });

    const registry = new Registry();
    const logger = pino({ level: 'warn' });
    publisher = await createKafkaPublisher({ brokers: brokers(), metrics: createCollectorMetrics(registry), lingerMs: 5, logger });
    const tls = { enabled: true, ca: pki.ca, serverName: 'leaf11' };
    const targets: GnmiTarget[] = [
      { name: leafTls, address: tlsTarget.address, fabric: 'dc1', tls, subscriptions: [ON_CHANGE], vtep: '10.0.0.11' },
      { name: leafMtls, address: mtlsTarget.address, fabric: 'dc1', tls: { ...tls, cert: pki.clientCert, key: pki.clientKey }, subscriptions: [ON_CHANGE] },
      { name: leafFake, address: fake.address, fabric: 'dc2', tls: { ...tls, cert: pki.clientCert, key: pki.clientKey }, subscriptions: [ON_CHANGE] },
    ];
    collector = startGnmiCollector({ targets, publisher, registry, logger, collectorId: 'it-gnmi', timers: { reconnectMinMs: 100, reconnectMaxMs: 1_000 } });
  });

  afterAll(async () => {
    await collector?.stop();
    await publisher?.close();
    await reader.stop();
    await Promise.all([tlsTarget?.stop(), mtlsTarget?.stop(), fake?.stop()]);
  });

  for (const [label, device] of [
    ['TLS', () => leafTls],
    ['mutual TLS', () => leafMtls],
  ] as const) {
    it(`reads VXLAN peer and VNI counters over ${label} back from Kafka exact, through 2^64-1 and a wrap`, async () => {
      const name = device();
      const target = name === leafTls ? tlsTarget : mtlsTarget;
      const encap = (value: string) => (s: Record<string, any>) => s.device === name && s.name === 'total-encap-pkts' && s.value === value;

      const initial = await reader.waitFor(encap(String(MAX - 1n)), `${name} initial counter`);
      await reader.waitFor((s) => s.device === name && s.kind === 'SAMPLE_KIND_TARGET' && s.target.kind === 'TARGET_EVENT_KIND_SYNCED', `${name} SYNCED`);
      await target.send(cmd(name, notification(peerPrefix('10.0.0.12'), [['counters/total-encap-pkts', uint(MAX)]])));
      await reader.waitFor(encap(String(MAX)), `${name} at 2^64-1`);
      await target.send(cmd(name, notification(peerPrefix('10.0.0.12'), [['counters/total-encap-pkts', uint(4n)]])));
      await reader.waitFor(encap('4'), `${name} wrapped`);

      expect(initial).toMatchObject({
        fabric: 'dc1',
        device: name,
        kind: 'SAMPLE_KIND_COUNTER',
        peer: '10.0.0.12',
        networkInstance: 'default',
        endpoint: 'nve1',
        path: `openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.12]/state/counters/total-encap-pkts`,
        collectorId: 'it-gnmi',
      });
      if (name === leafTls) expect(initial.vtep).toBe('10.0.0.11');
      expect(BigInt(initial.receiveTimeNs)).toBeGreaterThanOrEqual(BigInt(initial.timestampNs));
      const mine = reader.of(name);
      expect(mine.filter((s) => s.name === 'total-encap-pkts').map((s) => s.value)).toEqual([String(MAX - 1n), String(MAX), '4']);
      expect(mine.find((s) => s.name === 'total-decap-pkts')).toMatchObject({ vni: 10100, value: String(MAX), kind: 'SAMPLE_KIND_COUNTER' });
      expect(mine.find((s) => s.name === 'vni-state')).toMatchObject({ vni: 10100, state: 'UP' });
      expect(mine.find((s) => s.name === 'peer-state')).toMatchObject({ peer: '10.0.0.12', state: 'UP' });
      expect(mine.filter((s) => s.kind === 'SAMPLE_KIND_TARGET').map((s) => s.target.kind)).toEqual([
        'TARGET_EVENT_KIND_CONNECTED',
        'TARGET_EVENT_KIND_SYNCED',
      ]);
      // one device's samples all on one partition, in the collector's order
      expect(new Set(mine.map((s) => s._partition)).size).toBe(1);
      const seqs = mine.map((s) => BigInt(s.collectorSeq));
      expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    });
  }

  it('honours deletes from the reference cache: a VTEP peer removed becomes a DELETED sample', async () => {
    await reader.waitFor((s) => s.device === leafTls && s.target?.kind === 'TARGET_EVENT_KIND_SYNCED', 'synced');

    await tlsTarget.send(cmd(leafTls, notification(`openconfig:${OC_VXLAN}/endpoint-peers`, [], { deletes: ['endpoint-peer[peer-address=10.0.0.12]'] })));

    // The cache sends a delete per leaf under the peer.
    const deleted = await reader.waitFor((s) => s.device === leafTls && s.kind === 'SAMPLE_KIND_DELETED' && s.name === 'peer-state', 'DELETED peer-state');
    expect(deleted).toMatchObject({ peer: '10.0.0.12', networkInstance: 'default' });
    expect(reader.of(leafTls).some((s) => s.kind === 'SAMPLE_KIND_DELETED' && s.name === 'total-encap-pkts')).toBe(true);
  });

  it('streams from openconfig/gnmi fake_server over mutual TLS, exact to 2^64-1', async () => {
    const s = await reader.waitFor((x) => x.device === leafFake && x.name === 'bum-encap-pkts', 'fake_server sample');

    expect(s).toMatchObject({ fabric: 'dc2', peer: '10.2.0.1', value: String(MAX), timestampNs: '1732480000123456789', kind: 'SAMPLE_KIND_COUNTER' });
    await reader.waitFor((x) => x.device === leafFake && x.target?.kind === 'TARGET_EVENT_KIND_SYNCED', 'fake_server SYNCED');
    expect(collector.sessions.find((x) => x.name === leafFake)?.synced).toBe(true);
  });
});
