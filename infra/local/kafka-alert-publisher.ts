/**
 * The alert publisher: a kafkajs producer writing Alert protobufs to evpn.alerts.v1. The local stack passes the broker
 * list; on AWS the Lambda entry points pass an MSK client with IAM authentication (infra/aws/kafka-client.ts).
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { AlertPublisher } from '../../functions/mac-index/alert-publisher.js';
import { TOPICS } from '../../schemas/topics.js';

export async function createKafkaAlertPublisher(brokersOrClient: string[] | Kafka): Promise<AlertPublisher & { close(): Promise<void> }> {
  const kafka = Array.isArray(brokersOrClient)
    ? new Kafka({ clientId: 'evpn-lens-alerts', brokers: brokersOrClient, logLevel: logLevel.NOTHING })
    : brokersOrClient;
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async publish(alerts) {
      if (alerts.length === 0) return;
      await producer.send({ topic: TOPICS.alerts, acks: -1, messages: alerts.map((a) => ({ key: a.key, value: Buffer.from(a.value) })) });
    },
    close: () => producer.disconnect(),
  };
}
