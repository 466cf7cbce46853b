/**
 * Producers for the alert topics (kafkajs): the MAC index writes Alert protobufs to evpn.alerts.v1, the notifier writes
 * what a sink never took to evpn.alerts.dlq.v1. The local stack passes the broker list; on AWS the Lambda entry points
 * pass an MSK client with IAM authentication (infra/aws/kafka-client.ts).
 */
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { AlertPublisher } from '../../functions/mac-index/alert-publisher.js';
import type { DeadLetterPublisher } from '../../functions/notify/dead-letter.js';
import { TOPICS } from '../../schemas/topics.js';

async function connectProducer(brokersOrClient: string[] | Kafka, clientId: string): Promise<Producer> {
  const kafka = Array.isArray(brokersOrClient) ? new Kafka({ clientId, brokers: brokersOrClient, logLevel: logLevel.NOTHING }) : brokersOrClient;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export async function createKafkaAlertPublisher(brokersOrClient: string[] | Kafka): Promise<AlertPublisher & { close(): Promise<void> }> {
  const producer = await connectProducer(brokersOrClient, 'evpn-lens-alerts');
  return {
    async publish(alerts) {
      if (alerts.length === 0) return;
      await producer.send({ topic: TOPICS.alerts, acks: -1, messages: alerts.map((a) => ({ key: a.key, value: Buffer.from(a.value) })) });
    },
    close: () => producer.disconnect(),
  };
}

export async function createKafkaDeadLetterPublisher(brokersOrClient: string[] | Kafka): Promise<DeadLetterPublisher & { close(): Promise<void> }> {
  const producer = await connectProducer(brokersOrClient, 'evpn-lens-notify-dlq');
  return {
    async publish(records) {
      if (records.length === 0) return;
      await producer.send({
        topic: TOPICS.alertsDeadLetter,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: Buffer.from(r.value), headers: r.headers })),
      });
    },
    close: () => producer.disconnect(),
  };
}
