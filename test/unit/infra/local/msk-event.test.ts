import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { toMskEvent, toMskRecord } from '../../../../infra/local/msk-event.js';

function message(over: Partial<KafkaMessage> = {}): KafkaMessage {
  return {
    key: Buffer.from('02:00:00:00:00:01'),
    value: Buffer.from([0x08, 0x96, 0x01]),
    timestamp: '1764000000123',
    attributes: 0,
    offset: '41',
    size: 0,
    headers: {},
    ...over,
  } as unknown as KafkaMessage;
}

describe('msk-event', () => {
  it('builds an MSK event keyed by topic-partition, several partitions and topics in one, with the Lambda event source fields', () => {
    // Arrange
    const msgs = [message({ offset: '41' }), message({ offset: '42' })];

    // Act
    const event = toMskEvent(
      [
        { topic: 'evpn.routes.v1', partition: 7, messages: msgs },
        { topic: 'evpn.routes.v1', partition: 2, messages: [message({ offset: '5' })] },
        { topic: 'evpn.sessions.v1', partition: 7, messages: [message({ offset: '9' })] },
      ],
      ['127.0.0.1:9092', '127.0.0.1:9093'],
    );

    // Assert
    expect(event.eventSource).toBe('aws:kafka');
    expect(event.eventSourceArn).toMatch(/^arn:aws:kafka:/);
    expect(event.bootstrapServers).toBe('127.0.0.1:9092,127.0.0.1:9093');
    expect(Object.keys(event.records)).toEqual(['evpn.routes.v1-7', 'evpn.routes.v1-2', 'evpn.sessions.v1-7']);
    expect(event.records['evpn.routes.v1-7']!.map((r) => r.offset)).toEqual([41, 42]);
    expect(event.records['evpn.sessions.v1-7']!.map((r) => [r.topic, r.partition, r.offset])).toEqual([['evpn.sessions.v1', 7, 9]]);
  });

  it('encodes key and value as base64 and keeps partition, offset and create time as numbers', () => {
    const r = toMskRecord('t', 2, message());

    expect(r).toMatchObject({ topic: 't', partition: 2, offset: 41, timestamp: 1764000000123, timestampType: 'CREATE_TIME' });
    expect(Buffer.from(r.key, 'base64').toString()).toBe('02:00:00:00:00:01');
    expect([...Buffer.from(r.value, 'base64')]).toEqual([0x08, 0x96, 0x01]);
  });

  it('turns headers into one {name: byte array} entry per value, repeated names included', () => {
    const r = toMskRecord('t', 0, message({ headers: { origin: Buffer.from('ab'), trace: [Buffer.from('x'), Buffer.from('y')] } }));

    expect(r.headers).toEqual([{ origin: [0x61, 0x62] }, { trace: [0x78] }, { trace: [0x79] }]);
  });

  it('gives an empty string for a null key or a tombstone value', () => {
    const r = toMskRecord('t', 0, message({ key: null, value: null }));

    expect(r.key).toBe('');
    expect(r.value).toBe('');
  });
});
