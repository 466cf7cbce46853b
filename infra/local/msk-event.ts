/** Builds the event a Lambda function receives from an MSK event source mapping, from kafkajs messages. */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';

export function toMskRecord(topic: string, partition: number, m: KafkaMessage): MSKRecord {
  const headers = Object.entries(m.headers ?? {}).flatMap(([name, v]) => {
    const values = Array.isArray(v) ? v : [v];
    return values.filter((x) => x !== undefined).map((x) => ({ [name]: [...(Buffer.isBuffer(x) ? x : Buffer.from(String(x)))] }));
  });
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    timestampType: 'CREATE_TIME',
    key: m.key ? m.key.toString('base64') : '',
    value: m.value ? m.value.toString('base64') : '',
    headers,
  } as MSKRecord;
}

export function toMskEvent(topic: string, partition: number, messages: KafkaMessage[], bootstrapServers: string[]): MSKEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: `arn:aws:kafka:local:000000000000:cluster/evpn-lens-local/${topic}`,
    bootstrapServers: bootstrapServers.join(','),
    records: { [`${topic}-${partition}`]: messages.map((m) => toMskRecord(topic, partition, m)) },
  } as MSKEvent;
}
