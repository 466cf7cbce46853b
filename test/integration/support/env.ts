/** What integration tests share: the run's broker and store, and names unique to one test so tests never collide. */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { createDdbClient, createDocumentClient } from '../../../infra/local/ddb-client.js';
import { ensureTopics } from '../../../infra/local/kafka-topics.js';

export const brokers = (): string[] => inject('kafkaBrokers');
export const dynamodbEndpoint = (): string => inject('dynamodbEndpoint');

export function uniqueName(base: string): string {
  return `${base}-${randomBytes(4).toString('hex')}`;
}

export function kafkaClient(clientId = 'test'): Kafka {
  return new Kafka({ clientId, brokers: brokers(), logLevel: logLevel.NOTHING });
}

export async function createTopics(names: string[], partitions = 3): Promise<void> {
  await ensureTopics(brokers(), names, partitions);
}

export function ddb() {
  const client = createDdbClient({ endpoint: dynamodbEndpoint() });
  return { client, doc: createDocumentClient(client) };
}

/** Polls `probe` until it returns something other than undefined or false; `what` (or what it returns, read at the timeout) names the wait. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string | (() => string),
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
