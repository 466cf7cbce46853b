/**
 * The collector's container entry point (Fargate; the Dockerfile runs its bundle, dist/collector/index.mjs): the same
 * YAML as the local stack from EVPN_LENS_CONFIG, kafkajs to MSK with IAM authentication, the BMP station, and a small
 * HTTP server for health checks (GET /healthz: 200 while the station listens and Kafka takes records) and /metrics.
 * Prometheus figures also go to CloudWatch through the task's CloudWatch agent (EMF_AGENT_ENDPOINT). SIGTERM (a
 * deployment, a scale-in) closes the station, flushes what Kafka has not taken, and exits.
 *
 * gNMI passwords: a target's `passwordEnv` N is read at start from the SSM SecureString `/evpn-lens/gnmi/N`
 * (EVPN_LENS_GNMI_SECRETS changes the prefix) unless N is set: never from the task definition's plain environment.
 */
import { createServer } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createKafkaPublisher, startCollector } from '../../collector/index.js';
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
  // gNMI targets: each shard's task dials its static share (EVPN_LENS_GNMI_SHARD=index/count, one service per shard);
  // the BMP tasks, which scale on CPU, dial none (EVPN_LENS_GNMI_SHARD=off).
  gnmi:
    env.EVPN_LENS_GNMI_SHARD === 'off'
      ? undefined
      : { ...gnmiCollectorConfig(cfg.collector.gnmi, gnmiEnv), shard: parseShard(env.EVPN_LENS_GNMI_SHARD ?? '') ?? cfg.collector.gnmi.shard },
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

const healthPort = Number(env.HEALTH_PORT ?? 8080);
const health = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', sessions: collector.sessions() }));
  } else if (req.url === '/metrics') {
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  } else {
    res.writeHead(404).end();
  }
});
health.listen(healthPort, '0.0.0.0');

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
    health.close();
    process.exit(0);
  })();
});
