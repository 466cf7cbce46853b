/** A local stack for a test file: the run's Kafka broker and dynalite, its own table prefix, ports the kernel picks. */

import { Kafka, logLevel } from 'kafkajs';
import { type Logger, pino } from 'pino';
import { parseConfig } from '../../../infra/config/load-config.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { type IRouteEvent, RouteEventBatch } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { brokers, dynamodbEndpoint, uniqueName, waitFor } from './env.js';

export async function startTestStack(extra: Record<string, unknown> = {}, o: { logger?: Logger } = {}): Promise<LocalStack> {
  const cfg = parseConfig({
    fabrics: [
      { name: 'dc1', match: { routerIds: ['10.1.255.1'] } },
      { name: 'dc2', match: { routerIds: ['10.2.255.1'] } },
    ],
    kafka: { brokers: brokers() },
    dynamodb: { endpoint: dynamodbEndpoint(), tablePrefix: `${uniqueName('t')}-` },
    // Port 0: each listener binds a port of the kernel's choice and the stack reports it (no window between a probe and the bind).
    collector: { bmp: { listen: '127.0.0.1:0' } },
    api: { listen: '127.0.0.1:0' },
    // Other test files publish to the same topics: start at the newest event, after the group has joined.
    eventSource: { batchSize: 500, batchingWindowMs: 20, startingPosition: 'LATEST' },
    ...extra,
  });
  const stack = await startLocalStack(cfg, { logger: o.logger ?? pino({ level: 'warn' }) });
  await waitFor(async () => ((await fetch(`${stack.apiUrl}/readyz`)).status === 200 ? true : undefined), 'readyz', 60_000);
  return stack;
}

/** Publishes route events to evpn.routes.v1, one RouteEventBatch record per event keyed as the collector keys them (type 2 by MAC). */
export async function publishRoutes(events: IRouteEvent[]): Promise<void> {
  const producer = new Kafka({ clientId: 'test-routes', brokers: brokers(), logLevel: logLevel.NOTHING }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  await producer.send({
    topic: TOPICS.routes,
    acks: -1,
    messages: events.map((e) => ({ key: e.mac || e.routeKey || 'k', value: Buffer.from(RouteEventBatch.encode({ events: [e] }).finish()) })),
  });
  await producer.disconnect();
}
