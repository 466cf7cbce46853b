/**
 * The collector's /healthz against the real local broker: its producer's path to the broker cut (a failure local to
 * the task: a fresh client still reaches the cluster) turns it unhealthy; the fresh client cut too (the cluster away
 * for everyone) keeps it healthy; both restored, it reports publishing again.
 */
import { connect, type Socket } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaClusterProbe } from '../../../collector/publish/cluster-probe.js';
import { createKafkaPublisher } from '../../../collector/publish/kafka-publisher.js';
import { PublishHealth } from '../../../collector/publish/publish-health.js';
import { type HealthServer, startHealthServer } from '../../../collector/server/health-server.js';
import { freePort } from '../../../infra/local/free-port.js';
import { brokers, createTopics, uniqueName, waitFor } from '../support/env.js';

/** A kafkajs socket factory whose connections can be cut: while cut, every connection is refused (a port nobody holds). */
function cuttableNetwork(deadPort: number) {
  let cut = false;
  const open = new Set<Socket>();
  return {
    socketFactory: ({ host, port, onConnect }: { host: string; port: number; onConnect: () => void }) => {
      const s = connect({ host: cut ? '127.0.0.1' : host, port: cut ? deadPort : port }, onConnect);
      open.add(s);
      s.on('close', () => open.delete(s));
      return s;
    },
    set cut(v: boolean) {
      cut = v;
      // As a reset connection does: an error, then the close (kafkajs drops the connection and its requests).
      if (v) for (const s of open) s.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    },
  };
}

const STALLED_AFTER_MS = 3_000;
/** The bound this test holds /healthz to after the producer's broker goes away (stalledAfter + a probe + slack for a shared CPU). */
const UNHEALTHY_WITHIN_MS = 20_000;

describe('collector /healthz', () => {
  const stops: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  });

  it('turns unhealthy when the task cannot publish while the cluster answers, stays healthy when the cluster is away, recovers', async () => {
    // Arrange: a producer and a fresh-client probe, each on its own cuttable network, and events every 100 ms.
    const topic = uniqueName('health');
    await createTopics([topic], 1);
    const deadPort = await freePort();
    const producerNet = cuttableNetwork(deadPort);
    const probeNet = cuttableNetwork(deadPort);
    const kafka = new Kafka({ clientId: 'health-test', brokers: brokers(), logLevel: logLevel.NOTHING, socketFactory: producerNet.socketFactory as never });
    const publisher = await createKafkaPublisher({ kafka, batchedTopics: [], closeTimeoutMs: 500 });
    stops.push(() => publisher.close());
    const health = new PublishHealth({
      publisher,
      probeCluster: kafkaClusterProbe(
        () =>
          new Kafka({
            clientId: 'health-probe',
            brokers: brokers(),
            logLevel: logLevel.NOTHING,
            socketFactory: probeNet.socketFactory as never,
            connectionTimeout: 1_000,
          }),
        topic,
      ),
      stalledAfterMs: STALLED_AFTER_MS,
      probeEveryMs: 1_000,
      probeTimeoutMs: 3_000,
    });
    const server: HealthServer = await startHealthServer({ host: '127.0.0.1', port: 0, health, registry: new Registry(), sessions: () => 0 });
    stops.push(() => server.close());
    let n = 0;
    const traffic = setInterval(() => publisher.enqueue(topic, `k${n % 4}`, Buffer.from(`event ${n++}`)), 100);
    stops.push(async () => clearInterval(traffic));
    const healthz = async () => {
      const r = await fetch(`${server.url}/healthz`);
      return { status: r.status, body: (await r.json()) as { state: string; detail?: string } };
    };
    await waitFor(async () => (await healthz()).body.state === 'publishing' && n > 5, 'publishing at first');

    // Act 1: the producer's broker goes away; a fresh client still reaches it.
    producerNet.cut = true;
    const cutAt = Date.now();
    const unhealthy = await waitFor(
      async () => {
        const h = await healthz();
        return h.status === 503 ? h : undefined;
      },
      'unhealthy',
      UNHEALTHY_WITHIN_MS + 10_000,
    );
    const unhealthyAfterMs = Date.now() - cutAt;

    // Act 2: the fresh client cannot reach the cluster either.
    probeNet.cut = true;
    const degraded = await waitFor(
      async () => {
        const h = await healthz();
        return h.body.state === 'kafka-unreachable' ? h : undefined;
      },
      'healthy while the cluster is away',
      30_000,
    );

    // Act 3: both restored.
    producerNet.cut = false;
    probeNet.cut = false;
    const restoredAt = Date.now();
    const recovered = await waitFor(
      async () => {
        const h = await healthz();
        return h.body.state === 'publishing' ? h : undefined;
      },
      'publishing again',
      60_000,
    );
    const recoveredAfterMs = Date.now() - restoredAt;

    // Assert
    expect(unhealthy.body).toMatchObject({ state: 'task-cannot-publish', healthy: false });
    expect(unhealthyAfterMs).toBeLessThan(UNHEALTHY_WITHIN_MS);
    expect(unhealthyAfterMs).toBeGreaterThanOrEqual(STALLED_AFTER_MS);
    expect(degraded.status).toBe(200);
    expect(degraded.body.detail).toMatch(/fresh client cannot reach the cluster/);
    expect(recovered.status).toBe(200);
    console.log(`healthz: 503 ${unhealthyAfterMs} ms after the producer's broker went away; 200 again ${recoveredAfterMs} ms after it came back`);
  }, 150_000);
});
