/**
 * How the embedded broker's byte cap (`kafka.localRetention.maxBytes`, for all evpn-lens topics together) is shared
 * among the topics. Kafka deletes whole segments past a partition's `retention.bytes` whether or not a consumer has
 * read them, so the cap bounds the backlog a consumer may fall behind by. An equal share per partition of every topic
 * gave the route topic a sixth of the disk: a 1,000,000-MAC dump (6,000,000 route events) outran it while the
 * functions were still indexing, and the broker deleted records nobody had read ("Offset out of range"). The shares
 * follow the volumes: route events dominate, gNMI telemetry next, sessions and alerts are small.
 */
import { TOPICS, type TopicName } from '../../schemas/topics.js';
import type { TopicSpec } from './kafka-topics.js';

/** Fractions of the cap, per topic; the topics not named share the rest. */
const SHARES: Partial<Record<TopicName, number>> = { [TOPICS.routes]: 0.6, [TOPICS.vtepTelemetry]: 0.25 };

export function localTopicSpecs(topics: readonly TopicName[], maxBytes: number, partitions: number): TopicSpec[] {
  const named = topics.filter((t) => SHARES[t] !== undefined);
  const rest = topics.length - named.length;
  const restShare = rest > 0 ? (1 - named.reduce((a, t) => a + SHARES[t]!, 0)) / rest : 0;
  return topics.map((name) => ({ name, partitions, retentionBytes: Math.floor(((SHARES[name] ?? restShare) * maxBytes) / partitions) }));
}
