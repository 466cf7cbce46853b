/**
 * Creates the evpn-lens topics (idempotent): on the local broker at start, by tests on any cluster, and on MSK by the
 * deployment's custom resource. A topic that exists with fewer partitions than asked gets more (Kafka cannot take
 * partitions away; keys then move, as with any keyed producer); one with more is left as it is.
 */
import { type ConfigResourceTypes, type Kafka, Kafka as KafkaClient, logLevel } from 'kafkajs';
import { DEFAULT_PARTITIONS } from '../../schemas/topics.js';

/** Kafka's TOPIC config resource type (kafkajs's ConfigResourceTypes.TOPIC: its ESM entry does not export the enum). */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes.TOPIC;

export interface TopicSpec {
  name: string;
  partitions: number;
  /** retention.ms, set on creation and on a topic that exists (undefined: the cluster's default, left alone). */
  retentionMs?: number;
  /** retention.bytes (per partition), likewise. */
  retentionBytes?: number;
}

/** The topic configs a spec sets: retention.ms and retention.bytes where given. */
function retentionEntries(t: TopicSpec): { name: string; value: string }[] {
  return [
    ...(t.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(t.retentionMs) }]),
    ...(t.retentionBytes === undefined ? [] : [{ name: 'retention.bytes', value: String(t.retentionBytes) }]),
  ];
}

export interface EnsureTopicsOptions {
  /** -1: the cluster's default (MSK); 1 on the single local broker. */
  replicationFactor?: number;
}

/** What ensureTopics did, per topic. */
export type TopicOutcome = { name: string; action: 'created' | 'grown' | 'kept'; partitions: number };

export async function ensureTopics(
  brokersOrClient: string[] | Kafka,
  topics: readonly (string | TopicSpec)[],
  partitions = DEFAULT_PARTITIONS,
  opts: EnsureTopicsOptions = {},
): Promise<TopicOutcome[]> {
  const kafka = Array.isArray(brokersOrClient)
    ? new KafkaClient({ clientId: 'evpn-lens-admin', brokers: brokersOrClient, logLevel: logLevel.ERROR })
    : brokersOrClient;
  const specs = topics.map((t) => (typeof t === 'string' ? { name: t, partitions } : t));
  const replicationFactor = opts.replicationFactor ?? (Array.isArray(brokersOrClient) ? 1 : -1);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor,
          ...(retentionEntries(t).length === 0 ? {} : { configEntries: retentionEntries(t) }),
        })),
      });
    }
    const retained = specs.filter((t) => existing.has(t.name) && retentionEntries(t).length > 0);
    if (retained.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: retained.map((t) => ({
          type: TOPIC_RESOURCE,
          name: t.name,
          configEntries: retentionEntries(t),
        })),
      });
    }
    const present = specs.filter((t) => existing.has(t.name));
    const md = present.length ? await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) }) : { topics: [] };
    const have = new Map(md.topics.map((t) => [t.name, t.partitions.length]));
    const grow = present.filter((t) => (have.get(t.name) ?? 0) < t.partitions);
    if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow.map((t) => ({ topic: t.name, count: t.partitions })) });
    return specs.map((t) => ({
      name: t.name,
      action: !existing.has(t.name) ? 'created' : grow.includes(t) ? 'grown' : 'kept',
      partitions: Math.max(t.partitions, have.get(t.name) ?? 0),
    }));
  } finally {
    await admin.disconnect();
  }
}
