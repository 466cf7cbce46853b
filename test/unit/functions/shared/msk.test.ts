import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeRecords, describeRecord, itemIdentifierOf, PartitionFailures, parseItemIdentifier } from '../../../../functions/shared/msk.js';

function rec(topic: string, partition: number, offset: number, value: string, key = 'k') {
  return {
    topic,
    partition,
    offset,
    timestamp: 1000 + offset,
    timestampType: 'CREATE_TIME' as const,
    key: Buffer.from(key).toString('base64'),
    value: Buffer.from(value).toString('base64'),
    headers: [],
  };
}

const event = {
  eventSource: 'aws:kafka',
  eventSourceArn: 'arn:aws:kafka:local:000000000000:cluster/x',
  bootstrapServers: '127.0.0.1:9092',
  records: { 'evpn.routes.v1-0': [rec('evpn.routes.v1', 0, 5, 'a'), rec('evpn.routes.v1', 0, 6, 'b')], 'evpn.routes.v1-1': [rec('evpn.routes.v1', 1, 2, 'c')] },
} as unknown as MSKEvent;

describe('functions/shared/msk identifiers', () => {
  it('names a record as the Kafka partial batch response does: the records key of its partition and its offset', () => {
    const id = itemIdentifierOf({ topic: 'evpn-routes-v1', partition: 11, offset: '123456' });

    expect(id).toEqual({ partition: 'evpn-routes-v1-11', offset: 123456 });
    expect(JSON.parse(JSON.stringify({ batchItemFailures: [{ itemIdentifier: id }] }))).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'evpn-routes-v1-11', offset: 123456 } }],
    });
  });

  it('parses an identifier back, topic names with dashes included', () => {
    expect(parseItemIdentifier({ partition: 'evpn-routes-v1-11', offset: 123456 })).toEqual({ topic: 'evpn-routes-v1', partition: 11, offset: 123456 });
  });

  it('rejects what is not {partition: "topic-N", offset: non-negative integer}', () => {
    for (const bad of [
      undefined,
      null,
      '',
      'evpn.routes.v1-0:5',
      { partition: 'nopartition', offset: 1 },
      { partition: 't-1' },
      { partition: 't-1', offset: -1 },
      { partition: 't-1', offset: 1.5 },
      { partition: 't-1', offset: '5' },
    ]) {
      expect(parseItemIdentifier(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('describes a record for logs as topic-partition@offset', () => {
    expect(describeRecord({ topic: 't', partition: 3, offset: 9 })).toBe('t-3@9');
  });
});

describe('PartitionFailures', () => {
  it('answers with nothing when nothing failed', () => {
    expect(new PartitionFailures().response()).toBeUndefined();
  });

  it('names the first failed record of each partition it failed in, whatever order failures came in', () => {
    const f = new PartitionFailures();
    const err = new Error('write failed');

    f.add([{ topic: 'r', partition: 0, offset: 9 }], err);
    f.add(
      [
        { topic: 'r', partition: 2, offset: 40 },
        { topic: 'r', partition: 0, offset: 7 },
      ],
      err,
    );
    f.add([{ topic: 'r', partition: 2, offset: 41 }], err);

    expect(f.response()?.batchItemFailures.map((x) => x.itemIdentifier)).toEqual([
      { partition: 'r-0', offset: 7 },
      { partition: 'r-2', offset: 40 },
    ]);
    expect(f.size).toBe(4);
  });
});

describe('functions/shared/msk decoding', () => {
  it('decodes base64 keys and values in per-partition order', () => {
    const out = [...decodeRecords(event, (b) => Buffer.from(b).toString())];

    expect(out.map((r) => [describeRecord(r), r.key, r.value, r.timestamp])).toEqual([
      ['evpn.routes.v1-0@5', 'k', 'a', 1005],
      ['evpn.routes.v1-0@6', 'k', 'b', 1006],
      ['evpn.routes.v1-1@2', 'k', 'c', 1002],
    ]);
  });

  it('passes a record that fails to decode to onError and goes on with the next', () => {
    const bad: string[] = [];
    const decode = (b: Uint8Array) => {
      const s = Buffer.from(b).toString();
      if (s === 'b') throw new Error('bad');
      return s;
    };

    const out = [...decodeRecords(event, decode, (r) => bad.push(describeRecord(r)))];

    expect(out.map((r) => r.value)).toEqual(['a', 'c']);
    expect(bad).toEqual(['evpn.routes.v1-0@6']);
  });

  it('throws the decode error when no onError is given', () => {
    expect(() => [
      ...decodeRecords(event, () => {
        throw new Error('boom');
      }),
    ]).toThrow('boom');
  });
});
