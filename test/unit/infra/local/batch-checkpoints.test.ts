import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { checkpointsOf } from '../../../../infra/local/batch-checkpoints.js';
import { BatchResponseError } from '../../../../infra/local/errors.js';

const rec = (topic: string, partition: number, offset: number) => ({ topic, partition, offset });
const event = {
  records: {
    'r-0': [rec('r', 0, 10), rec('r', 0, 11), rec('r', 0, 12)],
    'r-1': [rec('r', 1, 3), rec('r', 1, 4)],
    's-0': [rec('s', 0, 7)],
  },
} as unknown as MSKEvent;
const fail = (partition: string, offset: unknown) => ({ itemIdentifier: { partition, offset } });

describe('checkpointsOf (what the event source mapping makes of a partial batch response)', () => {
  it('treats no response, a null list and an empty list as success', () => {
    for (const res of [undefined, null, {}, { batchItemFailures: null }, { batchItemFailures: [] }]) {
      expect(checkpointsOf(event, res).size).toBe(0);
    }
  });

  it('gives each named partition its lowest named offset and leaves the partitions it does not name done', () => {
    const cps = checkpointsOf(event, { batchItemFailures: [fail('r-0', 12), fail('s-0', 7), fail('r-0', 11)] });

    expect([...cps]).toEqual([
      ['r-0', 11],
      ['s-0', 7],
    ]);
  });

  it('fails the whole batch for an identifier naming no record of the batch', () => {
    for (const bad of [
      { itemIdentifier: '' },
      { itemIdentifier: null },
      { itemIdentifier: 'r-0:10' },
      fail('r-0', 99),
      fail('r-9', 10),
      fail('r-1', 10),
      { wrongKey: { partition: 'r-0', offset: 10 } },
    ]) {
      expect(() => checkpointsOf(event, { batchItemFailures: [fail('r-1', 3), bad] }), JSON.stringify(bad)).toThrow(BatchResponseError);
    }
    expect(() => checkpointsOf(event, { batchItemFailures: 'r-0' })).toThrow(BatchResponseError);
  });
});
