/** `evpn-lens tail TOPIC`: a topic's events decoded as JSON lines (protobuf JSON mapping names). */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import { Alert, JSON_OPTIONS, RouteEvent, RouteEventBatch, SessionEvent, VtepSample, VtepSampleBatch } from '../../../schemas/events.js';
import { ALL_TOPICS, TOPICS } from '../../../schemas/topics.js';
import { ConfigError } from '../../config/errors.js';
import { resolveKafkaBrokers } from './stack-endpoints.js';

const CODECS = {
  [TOPICS.routes]: RouteEvent,
  [TOPICS.sessions]: SessionEvent,
  [TOPICS.vtepTelemetry]: VtepSample,
  [TOPICS.alerts]: Alert,
  [TOPICS.alertsDeadLetter]: Alert,
} as const;

export function register(program: Command): void {
  program
    .command('tail')
    .argument('<topic>', ALL_TOPICS.join(' | '))
    .description("print a topic's events as JSON lines")
    .option('--from-beginning', 'start at the oldest event, not the newest')
    .option('--timeout <seconds>', 'stop after this many seconds')
    .option('--brokers <list>', 'Kafka brokers (default: KAFKA_BROKERS, else the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir")
    .action(async (topic: string, o: { fromBeginning?: boolean; timeout?: string; brokers?: string; config?: string }) => {
      const codec = CODECS[topic as keyof typeof CODECS];
      if (!codec) throw new ConfigError(`unknown topic "${topic}" (one of ${ALL_TOPICS.join(', ')})`);
      const brokers = resolveKafkaBrokers(o);
      // `tail … | head`: a closed pipe ends the command quietly.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
        throw err;
      });
      const consumer = new Kafka({ clientId: 'evpn-lens-tail', brokers, logLevel: logLevel.NOTHING }).consumer({
        groupId: `evpn-lens-tail-${randomBytes(4).toString('hex')}`,
        maxWaitTimeInMs: 200,
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: Boolean(o.fromBeginning) });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (!message.value) return;
          // evpn.routes.v1 and telemetry.vtep.v1 records are batches: a line per event, in order.
          const events =
            topic === TOPICS.routes
              ? RouteEventBatch.decode(message.value).events
              : topic === TOPICS.vtepTelemetry
                ? VtepSampleBatch.decode(message.value).samples
                : [(codec as typeof RouteEvent).decode(message.value)];
          let lines = '';
          for (const ev of events) lines += `${JSON.stringify((codec as typeof RouteEvent).toObject(ev as RouteEvent, JSON_OPTIONS))}\n`;
          process.stdout.write(lines);
        },
      });
      await new Promise<void>((resolve) => {
        if (o.timeout) setTimeout(resolve, Number(o.timeout) * 1000);
        process.once('SIGINT', () => resolve());
      });
      await consumer.disconnect();
    });
}
