import type { MSKEvent } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchAssembler, LAMBDA_PAYLOAD_BYTES } from '../../../../infra/local/batch-assembler.js';

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

  it("caps an invocation's payload as Lambda's 6 MB does: packed records of 256 KB go 17 to an invocation, never 1,000", async () => {
    const big = (from: number, n: number) =>
      msgs(from, n).map((m) => ({ ...m, key: Buffer.from('02:00:00:00:00:01'), value: Buffer.alloc(256 * 1024, 1) }) as KafkaMessage);
    const payloads: { records: number; json: number }[] = [];
    const a = new BatchAssembler({
      batchSize: 1000,
      gatherMs: 5,
      brokers: ['b:1'],
      invoke: async (e) => void payloads.push({ records: Object.values(e.records).flat().length, json: JSON.stringify(e).length }),
    });

    // Two partitions with 30 records each offered at once: the first fills the invocation, the rest waits its turn.
    const [p0, p1] = await Promise.all([a.submit('r', 0, big(0, 30)), a.submit('r', 1, big(0, 30))]);

    expect(p0.taken.length).toBe(17);
    expect(p1.taken.length).toBe(17);
    expect(payloads.map((p) => p.records)).toEqual([17, 17]);
    // The estimate bounds the event as it is built (msk-event.ts), JSON included.
    for (const p of payloads) expect(p.json).toBeLessThanOrEqual(LAMBDA_PAYLOAD_BYTES);
    expect(payloads[0]!.json).toBeGreaterThan(LAMBDA_PAYLOAD_BYTES - 400 * 1024);
  });

  it('takes a record larger than the payload bound on its own (it could never go otherwise)', async () => {
    const sizes: number[] = [];
    const a = new BatchAssembler({
      batchSize: 100,
      gatherMs: 5,
      brokers: ['b:1'],
      maxPayloadBytes: 1000,
      invoke: async (e) => void sizes.push(Object.values(e.records).flat().length),
    });
    const huge = msgs(0, 2).map((m) => ({ ...m, value: Buffer.alloc(5000) }) as KafkaMessage);

    const first = await a.submit('r', 0, huge);
    const second = await a.submit('r', 0, huge.slice(1));

    expect([first.taken.length, second.taken.length]).toEqual([1, 1]);
    expect(sizes).toEqual([1, 1]);
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
