/**
 * What every Lambda entry point sets up once, at cold start: the configuration (the same YAML as the local stack,
 * from EVPN_LENS_CONFIG), the DynamoDB client, the alert producer (MSK with IAM, connected on first use), EMF metrics
 * (Powertools) and the FunctionContext the functions are built from. The entry points stay a few lines each.
 *
 * Environment: EVPN_LENS_CONFIG (ssm:/name, s3://bucket/key or file:/path), KAFKA_BROKERS and KAFKA_AUTH (for
 * functions that produce), AWS_REGION, and DYNAMODB_ENDPOINT (tests running the bundles against dynalite).
 *
 * Alert sinks name their URL and secret by environment variable (alerts.sinks[].urlEnv / secretEnv), as locally. On
 * AWS the functions that deliver alerts read each such name N from the SSM parameter `<EVPN_LENS_SINK_SECRETS>N`
 * (default prefix /evpn-lens/sinks/; a SecureString, or a Secrets Manager secret through the prefix
 * /aws/reference/secretsmanager/), unless N is set in the environment (ssm-secrets.ts). With EVPN_LENS_SINK set (one
 * function per sink) only that sink is resolved.
 */

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { type AlertPublisher, noAlertPublisher } from '../../../functions/mac-index/alert-publisher.js';
import type { DeadLetterPublisher } from '../../../functions/notify/dead-letter.js';
import { createFunctionContext, type FunctionContext } from '../../catalog/context.js';
import type { MetricSink } from '../../catalog/schedules.js';
import type { Config } from '../../config/schema.js';
import { resolveSinks, SINK_ENV, sinkSecretNames } from '../../config/sinks.js';
import { createDdbClient, createDocumentClient } from '../../local/ddb-client.js';
import { createKafkaAlertPublisher, createKafkaDeadLetterPublisher } from '../../local/kafka-alert-publisher.js';
import { countDynamoDbRetries, type DynamoDbRetryCounter } from '../dynamodb-retries.js';
import { createKafkaClient, kafkaOptionsFromEnv } from '../kafka-client.js';
import { METRICS_NAMESPACE } from '../metrics-namespace.js';
import { CONFIG_ENV, loadRuntimeConfig } from '../runtime-config.js';
import { environmentWithSecrets, SECRET_PREFIXES } from '../ssm-secrets.js';

export interface LambdaRuntime {
  ctx: FunctionContext;
  metrics: Metrics;
  /** The same metrics as a sink for scheduled tasks: one EMF document per figure and dimension set. */
  sink: MetricSink;
  /** Retries and throttling errors of the DynamoDB client (../dynamodb-retries.ts). */
  ddb: DynamoDbRetryCounter;
}

/** A publisher that builds (and connects) the Kafka producer on its first alert, so a Kafka outage never fails a cold start. */
function lazyAlertPublisher(env: NodeJS.ProcessEnv, service: string): AlertPublisher {
  if (!env.KAFKA_BROKERS) return noAlertPublisher;
  let producer: Promise<AlertPublisher> | undefined;
  return {
    async publish(alerts) {
      if (alerts.length === 0) return;
      producer ??= createKafkaAlertPublisher(createKafkaClient(kafkaOptionsFromEnv(env, `evpn-lens-${service}`))).catch((err: unknown) => {
        producer = undefined; // try again on the next alert (the failed batch is retried by the event source)
        throw err;
      });
      await (await producer).publish(alerts);
    },
  };
}

/** The notifier's dead-letter producer, built on first use (without KAFKA_BROKERS: none, records are handed back). */
function lazyDeadLetterPublisher(env: NodeJS.ProcessEnv, service: string): DeadLetterPublisher | undefined {
  if (!env.KAFKA_BROKERS) return undefined;
  let producer: Promise<DeadLetterPublisher> | undefined;
  return {
    async publish(records) {
      producer ??= createKafkaDeadLetterPublisher(createKafkaClient(kafkaOptionsFromEnv(env, `evpn-lens-${service}`))).catch((err: unknown) => {
        producer = undefined;
        throw err;
      });
      await (await producer).publish(records);
    },
  };
}

export const SINK_SECRETS_ENV = SECRET_PREFIXES.sinks.env;
export const DEFAULT_SINK_SECRETS_PREFIX = SECRET_PREFIXES.sinks.default;

/**
 * The variables the sinks name, from the environment or else from SSM. A function serving one sink (EVPN_LENS_SINK)
 * reads that sink's only: its role may read no other.
 */
export function sinkEnvironment(cfg: Config, env: NodeJS.ProcessEnv, ssm: Pick<SSMClient, 'send'>): Promise<Record<string, string | undefined>> {
  return environmentWithSecrets('sinks', sinkSecretNames(cfg, env[SINK_ENV]), env, ssm);
}

export async function startLambdaRuntime(service: string, env: NodeJS.ProcessEnv = process.env, o: { sinks?: boolean } = {}): Promise<LambdaRuntime> {
  const region = env.AWS_REGION;
  const ssm = new SSMClient({ region });
  const cfg = await loadRuntimeConfig(env[CONFIG_ENV], { ssm, s3: new S3Client({ region }) });
  // Only the functions that deliver alerts read the sinks' secrets.
  const sinks = o.sinks ? resolveSinks(cfg, await sinkEnvironment(cfg, env, ssm), env[SINK_ENV]) : [];
  const logger = pino({ name: service, level: cfg.logLevel });
  const client = env.DYNAMODB_ENDPOINT ? createDdbClient({ endpoint: env.DYNAMODB_ENDPOINT, region }) : new DynamoDBClient({ region, maxAttempts: 5 });
  const ddb = countDynamoDbRetries(client);
  const metrics = new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: service });
  const ctx = createFunctionContext({
    cfg,
    ddb: createDocumentClient(client),
    logger,
    alertPublisher: () => lazyAlertPublisher(env, service),
    sinks,
    deadLetter: () => lazyDeadLetterPublisher(env, service),
    notifyMetrics: {
      delivery(sink, outcome, n = 1) {
        const single = metrics.singleMetric();
        single.addDimension('sink', sink);
        single.addDimension('outcome', outcome);
        single.addMetric('AlertDeliveries', MetricUnit.Count, n);
      },
      attempt: () => undefined,
    },
  });
  const sink: MetricSink = {
    gauge(name, value, dimensions = {}) {
      const single = metrics.singleMetric();
      for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
      single.addMetric(name, MetricUnit.Count, value);
    },
  };
  return { ctx, metrics, sink, ddb };
}
