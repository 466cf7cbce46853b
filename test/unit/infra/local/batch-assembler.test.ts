import type { MSKEvent } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchAssembler } from '../../../../infra/local/batch-assembler.js';

const msgs = (from: number, n: number) =>
  Array.from(
    { length: n },
    (_, i) => ({ offset: String(from + i), key: null, value: Buffer.from('x'), timestamp: '0', attributes: 0, headers: {} }) as unknown as KafkaMessage,
  );

describe('BatchAssembler', () => {
  it('puts partitions that arrive together into one invocation and gives each its share', async () => {
    const events: MSKEvent[] = [];
    const a = new BatchAssembler({ batchSize: 100, gatherMs: 5, brokers: ['b:1'], invoke: async (e) => void events.push(e) });

    const [p0, p1, s3] = await Promise.all([a.submit('r', 0, msgs(0, 3)), a.submit('r', 1, msgs(10, 2)), a.submit('s', 3, msgs(5, 1))]);

    expect(events).toHaveLength(1);
    expect(Object.keys(events[0]!.records)).toEqual(['r-0', 'r-1', 's-3']);
    expect([p0, p1, s3].map((o) => [o.kind, o.taken.length, o.kind === 'done' ? o.checkpoint : 'x'])).toEqual([
      ['done', 3, undefined],
      ['done', 2, undefined],
      ['done', 1, undefined],
    ]);
  });

  it('caps an invocation at batchSize records: a partition joins with the room left', async () => {
    const sizes: number[] = [];
    const a = new BatchAssembler({
      batchSize: 4,
      gatherMs: 5,
      brokers: ['b:1'],
      invoke: async (e) => void sizes.push(Object.values(e.records).flat().length),
    });

    const [p0, p1] = await Promise.all([a.submit('r', 0, msgs(0, 3)), a.submit('r', 1, msgs(0, 3))]);

    expect(sizes).toEqual([4]);
    expect(p0.taken).toHaveLength(3);
    expect(p1.taken.map((m) => m.offset)).toEqual(['0']);
  });

  it('gives each partition its own checkpoint from a partial batch response', async () => {
    const a = new BatchAssembler({
      batchSize: 100,
      gatherMs: 5,
      brokers: ['b:1'],
      invoke: async () => ({ batchItemFailures: [{ itemIdentifier: { partition: 'r-0', offset: 1 } }, { itemIdentifier: { partition: 'r-2', offset: 20 } }] }),
    });

    const outcomes = await Promise.all([a.submit('r', 0, msgs(0, 3)), a.submit('r', 1, msgs(0, 3)), a.submit('r', 2, msgs(20, 3))]);

    expect(outcomes.map((o) => (o.kind === 'done' ? o.checkpoint : o.kind))).toEqual([1, undefined, 20]);
  });

  it('tells a deadline hand-back from a failure: the partition it names is progress, not a failed partition', async () => {
    const invoked: number[] = [];
    const a = new BatchAssembler({
      batchSize: 100,
      gatherMs: 5,
      brokers: ['b:1'],
      invoke: async () => ({
        batchItemFailures: [{ itemIdentifier: { partition: 'r-0', offset: 1 } }, { itemIdentifier: { partition: 'r-1', offset: 2 } }],
        handedBack: ['r-1'],
      }),
      onInvoked: (_e, o) => void invoked.push(o.ok ? o.failedPartitions : -1),
    });

    const [p0, p1] = await Promise.all([a.submit('r', 0, msgs(0, 3)), a.submit('r', 1, msgs(0, 3))]);

    expect([p0, p1].map((o) => (o.kind === 'done' ? [o.checkpoint, o.handedBack] : o.kind))).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(invoked).toEqual([1]);
  });

  it('fails every partition of the invocation when the handler throws or names a record not in the batch', async () => {
    const responses: (() => unknown)[] = [
      () => {
        throw new Error('boom');
      },
      () => ({ batchItemFailures: [{ itemIdentifier: { partition: 'r-0', offset: 99 } }] }),
    ];
    for (const respond of responses) {
      const a = new BatchAssembler({ batchSize: 100, gatherMs: 5, brokers: ['b:1'], invoke: async () => respond() });

      const outcomes = await Promise.all([a.submit('r', 0, msgs(0, 3)), a.submit('r', 1, msgs(0, 3))]);

      expect(outcomes.map((o) => o.kind)).toEqual(['failed', 'failed']);
    }
  });
});
