/**
 * The collector's container entry point (Fargate; the Dockerfile runs its bundle, dist/collector/index.mjs): the same
 * YAML as the local stack from EVPN_LENS_CONFIG, kafkajs to MSK with IAM authentication, the BMP station, and a small
 * HTTP server for health checks (GET /healthz: 503 when this task cannot publish while the cluster answers a fresh
 * client, collector/publish/publish-health.ts) and /metrics.
 * Prometheus figures also go to CloudWatch through the task's CloudWatch agent (EMF_AGENT_ENDPOINT). SIGTERM (a
 * deployment, a scale-in) closes the station, flushes what Kafka has not taken, and exits.
 *
 * gNMI passwords: a target's `passwordEnv` N is read at start from the SSM SecureString `/evpn-lens/gnmi/N`
 * (EVPN_LENS_GNMI_SECRETS changes the prefix) unless N is set: never from the task definition's plain environment.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { GNMI_SLOTS, GNMI_SLOTS_TOPIC } from '../../collector/gnmi/slot-membership.js';
import { createKafkaPublisher, startCollector } from '../../collector/index.js';
import { kafkaClusterProbe } from '../../collector/publish/cluster-probe.js';
import { PublishHealth } from '../../collector/publish/publish-health.js';
import { startHealthServer } from '../../collector/server/health-server.js';
import { TOPICS } from '../../schemas/topics.js';
import { gnmiCollectorConfig, gnmiPasswordNames, parseShard } from '../config/gnmi-schema.js';
import { startEmfExporter } from './emf-exporter.js';
import { createKafkaClient, kafkaOptionsFromEnv } from './kafka-client.js';
import { METRICS_NAMESPACE } from './metrics-namespace.js';
import { CONFIG_ENV, loadRuntimeConfig } from './runtime-config.js';
import { environmentWithSecrets } from './ssm-secrets.js';

const env = process.env;
const ssm = new SSMClient({ region: env.AWS_REGION });
const cfg = await loadRuntimeConfig(env[CONFIG_ENV], { ssm, s3: new S3Client({ region: env.AWS_REGION }) });
const gnmiEnv = await environmentWithSecrets('gnmi', gnmiPasswordNames(cfg.collector.gnmi), env, ssm);
const log = pino({ name: 'evpn-lens-collector', level: cfg.logLevel });
const registry = new Registry();
const kafka = createKafkaClient(kafkaOptionsFromEnv(env, `${cfg.kafka.clientId}-collector`, log));
const collector = await startCollector({
  listen: cfg.collector.bmp.listen,
  allow: cfg.collector.bmp.allow === 'any' ? [] : cfg.collector.bmp.allow,
  maxSessions: cfg.collector.bmp.maxSessions,
  fabrics: cfg.fabrics,
  collectorId: env.EVPN_LENS_COLLECTOR_ID ?? cfg.collector.id,
  resyncQuietMs: cfg.collector.bmp.resyncQuietSeconds * 1000,
  maxMessageBytes: cfg.collector.bmp.maxMessageBytes,
  registry,
  logger: log,
  // gNMI targets: the gNMI tasks divide them through a consumer group (EVPN_LENS_GNMI_GROUP), or a task dials its
  // static share (EVPN_LENS_GNMI_SHARD=index/count); the BMP tasks, which scale on CPU, dial none (=off).
  gnmi:
    env.EVPN_LENS_GNMI_SHARD === 'off'
      ? undefined
      : { ...gnmiCollectorConfig(cfg.collector.gnmi, gnmiEnv), shard: parseShard(env.EVPN_LENS_GNMI_SHARD ?? '') ?? cfg.collector.gnmi.shard },
  gnmiMembership: env.EVPN_LENS_GNMI_GROUP ? { kafka, groupId: env.EVPN_LENS_GNMI_GROUP, topic: GNMI_SLOTS_TOPIC, slots: GNMI_SLOTS } : undefined,
  publisher: (metrics) =>
    createKafkaPublisher({
      kafka,
      maxEventsPerRecord: cfg.kafka.maxEventsPerRecord,
      maxRecordBytes: cfg.kafka.maxRecordBytes,
      compression: cfg.kafka.compression,
      metrics,
      logger: log.child({ component: 'kafka-publisher' }),
    }),
});

// /healthz: 503 when this task cannot publish while a fresh client reaches the cluster (ECS then replaces it); 200
// when the whole cluster is away (replacing every task would cut every BMP session for nothing).
const health = await startHealthServer({
  host: '0.0.0.0',
  port: Number(env.HEALTH_PORT ?? 8080),
  registry,
  sessions: () => collector.sessions(),
  health: new PublishHealth({
    publisher: collector.publisher,
    probeCluster: kafkaClusterProbe(() => createKafkaClient(kafkaOptionsFromEnv(env, `${cfg.kafka.clientId}-probe`, log)), TOPICS.sessions),
  }),
});

const emf = env.EMF_AGENT_ENDPOINT
  ? startEmfExporter({
      registry,
      endpoint: env.EMF_AGENT_ENDPOINT,
      namespace: METRICS_NAMESPACE,
      fixed: { service: 'collector' },
      intervalMs: 60_000,
      logGroupName: env.EMF_LOG_GROUP,
      onError: (err) => log.warn({ err }, 'EMF export failed'),
    })
  : undefined;

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  log.info('SIGTERM: closing the BMP station and flushing to Kafka');
  void (async () => {
    await collector.stop();
    await collector.publisher.close();
    await emf?.stop();
    await health.close();
    process.exit(0);
  })();
});
