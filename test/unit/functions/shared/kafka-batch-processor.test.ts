import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { KafkaBatchProcessor, processKafkaPartialResponse } from '../../../../functions/shared/kafka-batch-processor.js';

const text = (b: Uint8Array) => {
  const s = Buffer.from(b).toString();
  if (s === 'garbage') throw new Error('not text');
  return s;
};

/** An MSK event with `values` per `${topic}-${partition}` key, offsets from 100. */
function event(parts: Record<string, string[]>): MSKEvent {
  const records: Record<string, unknown[]> = {};
  for (const [key, values] of Object.entries(parts)) {
    const [, topic, p] = /^(.+)-(\d+)$/.exec(key)!;
    records[key] = values.map((v, i) => ({
      topic,
      partition: Number(p),
      offset: 100 + i,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      key: '',
      value: Buffer.from(v).toString('base64'),
      headers: [],
    }));
  }
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:test', bootstrapServers: 'b', records } as unknown as MSKEvent;
}

describe('KafkaBatchProcessor', () => {
  it('handles every record of every partition in offset order and answers with nothing when all succeed', async () => {
    const seen: string[] = [];
    const processor = new KafkaBatchProcessor({ decode: text });

    const res = await processKafkaPartialResponse(
      event({ 't-0': ['a', 'b'], 't-1': ['c'] }),
      async (r) => void seen.push(`${r.partition}:${r.value}`),
      processor,
    );

    expect(res).toBeUndefined();
    expect(seen.filter((s) => s.startsWith('0:'))).toEqual(['0:a', '0:b']);
    expect(seen).toHaveLength(3);
  });

  it('stops a partition at its first failure, goes on with the others, and names the first failed record of each failed partition', async () => {
    const seen: string[] = [];
    const processor = new KafkaBatchProcessor({ decode: text });
    const ev = event({ 't-0': ['ok', 'fail', 'after'], 't-1': ['ok', 'ok'], 't-2': ['fail', 'after'] });

    const result = await processor.process(ev, async (r) => {
      seen.push(`${r.partition}:${r.offset}`);
      if (r.value === 'fail') throw new Error(`failed at ${r.offset}`);
    });

    const named = result.response?.batchItemFailures.map((f) => f.itemIdentifier).sort((a, b) => a.partition.localeCompare(b.partition));
    expect(named).toEqual([
      { partition: 't-0', offset: 101 },
      { partition: 't-2', offset: 100 },
    ]);
    expect(seen).not.toContain('0:102');
    expect(seen).not.toContain('2:101');
    expect(seen).toContain('1:101');
    expect(result).toMatchObject({ succeeded: 3, failed: 2, notHandled: 2 });
  });

  it('skips and reports a record that does not decode when told to, else fails it', async () => {
    const undecodable: number[] = [];
    const skipping = new KafkaBatchProcessor({ decode: text, onUndecodable: (r) => undecodable.push(r.offset) });
    const failing = new KafkaBatchProcessor({ decode: text });
    const ev = event({ 't-0': ['a', 'garbage', 'b'] });

    const skipped = await skipping.process(ev, async () => undefined);
    const failed = await failing.process(ev, async () => undefined);

    expect(skipped).toMatchObject({ succeeded: 2, undecodable: 1, response: undefined });
    expect(undecodable).toEqual([101]);
    expect(failed.response?.batchItemFailures).toEqual([{ itemIdentifier: { partition: 't-0', offset: 101 } }]);
  });
});
