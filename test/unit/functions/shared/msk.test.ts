import type { MSKEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeRecords, parseRecordId, recordId } from '../../../../functions/shared/msk.js';

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

describe('functions/shared/msk', () => {
  it('round-trips record identifiers, topic names with dashes included', () => {
    const id = recordId({ topic: 'evpn-routes-v1', partition: 11, offset: 123456 });

    expect(id).toBe('evpn-routes-v1-11:123456');
    expect(parseRecordId(id)).toEqual({ topic: 'evpn-routes-v1', partition: 11, offset: 123456 });
  });

  it('returns undefined for an identifier that is not topic-partition:offset', () => {
    expect(parseRecordId('nonsense')).toBeUndefined();
    expect(parseRecordId('t-1')).toBeUndefined();
  });

  it('decodes base64 keys and values in per-partition order', () => {
    const out = [...decodeRecords(event, (b) => Buffer.from(b).toString())];

    expect(out.map((r) => [r.id, r.key, r.value, r.timestamp])).toEqual([
      ['evpn.routes.v1-0:5', 'k', 'a', 1005],
      ['evpn.routes.v1-0:6', 'k', 'b', 1006],
      ['evpn.routes.v1-1:2', 'k', 'c', 1002],
    ]);
  });

  it('passes a record that fails to decode to onError and goes on with the next', () => {
    const bad: string[] = [];
    const decode = (b: Uint8Array) => {
      const s = Buffer.from(b).toString();
      if (s === 'b') throw new Error('bad');
      return s;
    };

    const out = [...decodeRecords(event, decode, (r) => bad.push(recordId(r)))];

    expect(out.map((r) => r.value)).toEqual(['a', 'c']);
    expect(bad).toEqual(['evpn.routes.v1-0:6']);
  });

  it('throws the decode error when no onError is given', () => {
    expect(() => [
      ...decodeRecords(event, () => {
        throw new Error('boom');
      }),
    ]).toThrow('boom');
  });
});
