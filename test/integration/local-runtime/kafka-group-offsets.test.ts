import { describe, expect, it } from 'vitest';
import { commitGroupOffsets } from '../../../infra/local/kafka-group-offsets.js';
import { createTopics, kafkaClient, uniqueName, waitFor } from '../support/env.js';

describe('commitGroupOffsets', () => {
  it('commits a new group’s offsets, so that a member starting at the latest offset resumes from them instead', async () => {
    // Arrange: five records in partition 0 of a fresh topic.
    const topic = uniqueName('offsets');
    await createTopics([topic], 1);
    const kafka = kafkaClient('group-offsets-test');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `r${i}` })) });
    await producer.disconnect();
    const groupId = uniqueName('group');

    // Act: commit offset 2, then consume as a member that would otherwise start at the end (offset 5).
    const started = Date.now();
    await commitGroupOffsets(kafka, groupId, topic, [{ partition: 0, offset: '2' }]);
    const tookMs = Date.now() - started;
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    try {
      await waitFor(() => (seen.length >= 3 ? true : undefined), 'the records from offset 2', 30_000);
    } finally {
      await consumer.disconnect();
    }

    // Assert: exactly the records from the committed offset on, and no 5 s fetch wait on the way.
    expect(seen).toEqual(['r2', 'r3', 'r4']);
    expect(tookMs).toBeLessThan(4_000);
  });

  it('refuses a group that has running members', async () => {
    const topic = uniqueName('offsets');
    await createTopics([topic], 1);
    const kafka = kafkaClient('group-offsets-test');
    const groupId = uniqueName('group');
    const member = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await member.connect();
    await member.subscribe({ topic });
    const joined = new Promise((r) => member.on(member.events.GROUP_JOIN, r));
    await member.run({ eachMessage: async () => undefined });
    await joined;
    try {
      await expect(commitGroupOffsets(kafka, groupId, topic, [{ partition: 0, offset: '0' }])).rejects.toThrow(/running members/);
    } finally {
      await member.disconnect();
    }
  });
});
