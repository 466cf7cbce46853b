import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../infra/local/kafka-topics.js';
import { brokers, kafkaClient, uniqueName } from '../support/env.js';

/** retention.ms (or another topic config) of a topic as the broker reports it. */
async function retentionOf(topic: string, name = 'retention.ms'): Promise<string | undefined> {
  const admin = kafkaClient('retention-probe').admin();
  await admin.connect();
  try {
    // 2: the TOPIC config resource (kafkajs's ConfigResourceTypes.TOPIC).
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: [name] }] });
    return resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics', () => {
  it('creates a topic with its retention, and sets a new retention on a topic that exists', async () => {
    // Arrange
    const topic = uniqueName('retention');

    // Act: created with 2 h, then asked for 5 h
    const created = await ensureTopics(brokers(), [{ name: topic, partitions: 2, retentionMs: 2 * 3_600_000 }]);
    const afterCreate = await retentionOf(topic);
    const kept = await ensureTopics(brokers(), [{ name: topic, partitions: 2, retentionMs: 5 * 3_600_000 }]);
    const afterAlter = await retentionOf(topic);

    // Assert
    expect(created).toEqual([{ name: topic, action: 'created', partitions: 2 }]);
    expect(afterCreate).toBe(String(2 * 3_600_000));
    expect(kept).toEqual([{ name: topic, action: 'kept', partitions: 2 }]);
    expect(afterAlter).toBe(String(5 * 3_600_000));
  });

  it('sets retention.bytes per partition with retention.ms, on creation and on a topic that exists', async () => {
    const topic = uniqueName('retention-bytes');
    await ensureTopics(brokers(), [{ name: topic, partitions: 2, retentionMs: 3_600_000, retentionBytes: 64 * 1024 * 1024 }]);
    const afterCreate = [await retentionOf(topic), await retentionOf(topic, 'retention.bytes')];
    await ensureTopics(brokers(), [{ name: topic, partitions: 2, retentionMs: 3_600_000, retentionBytes: 128 * 1024 * 1024 }]);
    const afterAlter = [await retentionOf(topic), await retentionOf(topic, 'retention.bytes')];
    expect(afterCreate).toEqual([String(3_600_000), String(64 * 1024 * 1024)]);
    expect(afterAlter).toEqual([String(3_600_000), String(128 * 1024 * 1024)]);
  });
});
