/**
 * CloudFormation custom resource (CDK Provider framework's onEvent) creating the evpn-lens topics on MSK at deploy time,
 * with their partition counts, over kafkajs with IAM authentication. Create and Update create what is missing and add
 * partitions to topics that have fewer; Delete keeps the topics (they hold the data; remove them by hand if meant).
 *
 * Properties: Brokers (the SASL/IAM bootstrap string), Topics ([{ name, partitions, retentionMs }]; CloudFormation passes numbers
 * as strings), ReplicationFactor (-1: the cluster's default).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ensureTopics } from '../../local/kafka-topics.js';
import { createKafkaClient } from '../kafka-client.js';

interface Props {
  Brokers: string;
  Topics: { name: string; partitions: string | number; retentionMs?: string | number }[];
  ReplicationFactor?: string | number;
}

export const handler = async (event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> => {
  const physicalId = 'evpn-lens-topics';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const p = event.ResourceProperties as unknown as Props;
  const kafka = createKafkaClient({ brokers: p.Brokers.split(','), auth: 'iam', region: process.env.AWS_REGION, clientId: 'evpn-lens-topics' });
  const outcome = await ensureTopics(
    kafka,
    p.Topics.map((t) => ({ name: t.name, partitions: Number(t.partitions), ...(t.retentionMs === undefined ? {} : { retentionMs: Number(t.retentionMs) }) })),
    12,
    { replicationFactor: Number(p.ReplicationFactor ?? -1) },
  );
  return { PhysicalResourceId: physicalId, Data: { Summary: outcome.map((o) => `${o.name}:${o.action}:${o.partitions}`).join(',') } };
};
