/** The MAC index's alert publisher for the local stack: a kafkajs producer writing Alert protobufs to evpn.alerts.v1. */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { AlertPublisher } from '../../functions/mac-index/alert-publisher.js';
import { TOPICS } from '../../schemas/topics.js';

export async function createKafkaAlertPublisher(brokers: string[]): Promise<AlertPublisher & { close(): Promise<void> }> {
  const producer = new Kafka({ clientId: 'evpn-lens-alerts', brokers, logLevel: logLevel.NOTHING }).producer({
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
