/**
 * Commits a consumer group's starting offsets before its first member joins, as kafkajs's `admin.setOffsets` does
 * (a member that joins, seeks, and leaves once its first fetch has gone out), but with a short fetch wait: the admin's
 * own member waits out the default `maxWaitTimeInMs` (5 s) on its paused topic before that first fetch, which made
 * every event-source mapping that starts at LATEST take 5 s to start.
 */
import type { Kafka } from 'kafkajs';

export async function commitGroupOffsets(kafka: Kafka, groupId: string, topic: string, partitions: { partition: number; offset: string }[]): Promise<void> {
  if (partitions.length === 0) return;
  const member = kafka.consumer({ groupId, maxWaitTimeInMs: 50, retry: { retries: 5 } });
  await member.connect();
  try {
    await member.subscribe({ topic, fromBeginning: true });
    const { state } = await member.describeGroup();
    // Offsets of a group that has live members belong to them (kafkajs refuses the same way).
    if (state !== 'Empty' && state !== 'Dead') throw new Error(`consumer group ${groupId} has running members (state ${state})`);
    await new Promise<void>((resolve, reject) => {
      // kafkajs commits the seeked offsets as the fetch goes out; stop() after that first fetch leaves the group.
      member.on(member.events.FETCH, () => {
        member.stop().then(resolve, reject);
      });
      member.run({ autoCommit: true, eachBatchAutoResolve: false, eachBatch: async () => undefined }).catch(reject);
      member.pause([{ topic }]);
      for (const p of partitions) member.seek({ topic, partition: p.partition, offset: p.offset });
    });
  } finally {
    await member.disconnect().catch(() => undefined);
  }
}
