/** Creates the evpn-lens topics (idempotent): on the local broker at start, and by tests on any cluster. */
import { Kafka, logLevel } from 'kafkajs';

export async function ensureTopics(brokers: string[], topics: readonly string[], partitions = 12): Promise<void> {
  const admin = new Kafka({ clientId: 'evpn-lens-admin', brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
    }
  } finally {
    await admin.disconnect();
  }
}
