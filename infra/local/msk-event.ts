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

/** One partition's share of an invocation. */
export interface PartitionMessages {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/** An MSK event carrying several partitions (and topics), as the event source mapping delivers them. */
export function toMskEvent(parts: PartitionMessages[], bootstrapServers: string[]): MSKEvent {
  const records: Record<string, MSKRecord[]> = {};
  for (const p of parts) records[`${p.topic}-${p.partition}`] = p.messages.map((m) => toMskRecord(p.topic, p.partition, m));
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:local:000000000000:cluster/evpn-lens-local/local',
    bootstrapServers: bootstrapServers.join(','),
    records,
  } as MSKEvent;
}
