/**
 * kafkajs clients for the AWS deployment: MSK with IAM authentication (SASL OAUTHBEARER over TLS, the token signed by
 * aws-msk-iam-sasl-signer-js from the function's or task's role), or plain brokers (the local stack, and the tests that
 * run the bundles against the local broker).
 *
 * Environment: KAFKA_BROKERS (comma-separated host:port), KAFKA_AUTH (`iam` or `none`, default `iam`), AWS_REGION.
 */
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogCreator } from '../../collector/publish/kafka-logger.js';
import { ConfigError } from '../config/errors.js';

export interface KafkaClientOptions {
  brokers: string[];
  auth: 'iam' | 'none';
  region?: string;
  clientId: string;
  logger?: Logger;
  /** Signs the IAM token; defaults to the signer with the default credential chain (the role). */
  token?: (region: string) => Promise<{ token: string; expiryTime: number }>;
}

export function createKafkaClient(o: KafkaClientOptions): Kafka {
  return new Kafka(kafkaConfig(o));
}

/** The kafkajs configuration: plain, or TLS with SASL/OAUTHBEARER carrying the MSK IAM token. */
export function kafkaConfig(o: KafkaClientOptions): KafkaConfig {
  const base = { clientId: o.clientId, brokers: o.brokers, logLevel: logLevel.WARN, logCreator: kafkaLogCreator(o.logger) };
  if (o.auth === 'none') return base;
  const region = o.region;
  if (!region) throw new ConfigError('AWS_REGION is not set: MSK IAM authentication signs for a region');
  const sign = o.token ?? ((r: string) => generateAuthToken({ region: r }));
  return {
    ...base,
    ssl: true,
    // MSK IAM: SASL/OAUTHBEARER with a token that is a SigV4-presigned kafka-cluster:Connect request (valid 15 min;
    // kafkajs asks again when it reconnects or re-authenticates).
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: (await sign(region)).token }) },
  };
}

export function kafkaOptionsFromEnv(env: NodeJS.ProcessEnv, clientId: string, logger?: Logger): KafkaClientOptions {
  const brokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new ConfigError('KAFKA_BROKERS is not set: the bootstrap brokers (host:port, comma-separated)');
  const auth = env.KAFKA_AUTH ?? 'iam';
  if (auth !== 'iam' && auth !== 'none') throw new ConfigError(`KAFKA_AUTH: expected iam or none, got "${auth}"`);
  return { brokers, auth, region: env.AWS_REGION, clientId, logger };
}
