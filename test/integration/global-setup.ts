/**
 * One real Kafka broker and one dynalite for the whole integration run, on free ports (two runs on one machine do not
 * collide). KAFKA_BROKERS / DYNAMODB_ENDPOINT point the run at existing ones instead.
 */
import type { TestProject } from 'vitest/node';
import { startDynalite } from '../../infra/local/dynalite-store.js';
import { startKafka } from '../../infra/local/kafka-broker.js';
import { ensureTopics } from '../../infra/local/kafka-topics.js';
import { ALL_TOPICS } from '../../schemas/topics.js';
import { brokersFromEnv } from '../support/kafka-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    dynamodbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  let brokers = brokersFromEnv();
  if (!brokers) {
    const kafka = await startKafka({ log: (l) => process.stderr.write(`[global-setup] ${l}\n`) });
    stops.push(kafka.stop);
    brokers = kafka.brokers;
  }
  await ensureTopics(brokers, ALL_TOPICS, 6);
  let endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) {
    const store = await startDynalite();
    stops.push(store.stop);
    endpoint = store.endpoint;
  }
  project.provide('kafkaBrokers', brokers);
  project.provide('dynamodbEndpoint', endpoint);
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
}
