/**
 * A fresh client's view of the Kafka cluster (for PublishHealth): a new kafkajs client each time — new connections,
 * new SASL authentication — that reads one topic's metadata, with no retries, and disconnects.
 */
import type { Kafka } from 'kafkajs';

export function kafkaClusterProbe(freshClient: () => Kafka, topic: string): () => Promise<void> {
  return async () => {
    const admin = freshClient().admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [topic] });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}
