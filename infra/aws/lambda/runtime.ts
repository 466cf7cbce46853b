/**
 * What every Lambda entry point sets up once, at cold start: the configuration (the same YAML as the local stack,
 * from EVPN_LENS_CONFIG), the DynamoDB client, the alert producer (MSK with IAM, connected on first use), EMF metrics
 * (Powertools) and the FunctionContext the functions are built from. The entry points stay a few lines each.
 *
 * Environment: EVPN_LENS_CONFIG (ssm:/name, s3://bucket/key or file:/path), KAFKA_BROKERS and KAFKA_AUTH (for
 * functions that produce), AWS_REGION, and DYNAMODB_ENDPOINT (tests running the bundles against dynalite).
 */

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { pino } from 'pino';
import { type AlertPublisher, noAlertPublisher } from '../../../functions/mac-index/alert-publisher.js';
import { createFunctionContext, type FunctionContext } from '../../catalog/context.js';
import type { MetricSink } from '../../catalog/schedules.js';
import { createDdbClient, createDocumentClient } from '../../local/ddb-client.js';
import { createKafkaAlertPublisher } from '../../local/kafka-alert-publisher.js';
import { createKafkaClient, kafkaOptionsFromEnv } from '../kafka-client.js';
import { METRICS_NAMESPACE } from '../metrics-namespace.js';
import { CONFIG_ENV, loadRuntimeConfig } from '../runtime-config.js';

export interface LambdaRuntime {
  ctx: FunctionContext;
  metrics: Metrics;
  /** The same metrics as a sink for scheduled tasks: one EMF document per figure and dimension set. */
  sink: MetricSink;
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

export async function startLambdaRuntime(service: string, env: NodeJS.ProcessEnv = process.env): Promise<LambdaRuntime> {
  const region = env.AWS_REGION;
  const cfg = await loadRuntimeConfig(env[CONFIG_ENV], { ssm: new SSMClient({ region }), s3: new S3Client({ region }) });
  const logger = pino({ name: service, level: cfg.logLevel });
  const client = env.DYNAMODB_ENDPOINT ? createDdbClient({ endpoint: env.DYNAMODB_ENDPOINT, region }) : new DynamoDBClient({ region, maxAttempts: 5 });
  const metrics = new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: service });
  const ctx = createFunctionContext({ cfg, ddb: createDocumentClient(client), logger, alertPublisher: () => lazyAlertPublisher(env, service) });
  const sink: MetricSink = {
    gauge(name, value, dimensions = {}) {
      const single = metrics.singleMetric();
      for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
      single.addMetric(name, MetricUnit.Count, value);
    },
  };
  return { ctx, metrics, sink };
}
