/**
 * Metadata (key 3) v4: the brokers and, per partition of the named topics, its leader.
 *   Metadata Request (Version: 4) => [topics] allow_auto_topic_creation BOOLEAN
 *     topics => name STRING
 *   Metadata Response (Version: 4) => throttle_time_ms INT32 [brokers] cluster_id NULLABLE_STRING controller_id INT32 [topics]
 *     brokers => node_id INT32 host STRING port INT32 rack NULLABLE_STRING
 *     topics => error_code INT16 name STRING is_internal BOOLEAN [partitions]
 *       partitions => error_code INT16 partition_index INT32 leader_id INT32 [replica_nodes] [isr_nodes]
 *         replica_nodes => INT32, isr_nodes => INT32
 */
import type { ApiCall } from './request-header.js';

export interface MetadataRequest {
  topics: string[];
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface PartitionInfo {
  errorCode: number;
  partition: number;
  leader: number;
}

export interface TopicInfo {
  errorCode: number;
  name: string;
  partitions: PartitionInfo[];
}

export interface MetadataResponse {
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

export const Metadata: ApiCall<MetadataRequest, MetadataResponse> = {
  name: 'Metadata',
  key: 3,
  version: 4,
  encode(w, req) {
    w.int32(req.topics.length);
    for (const t of req.topics) w.string(t);
    w.int8(0); // never auto-create: the collector's topics are created by deployment
  },
  decode(r) {
    r.int32('throttle_time_ms');
    const brokers = r.array('brokers', 12, (x) => {
      const b = { nodeId: x.int32('node_id'), host: x.string('host'), port: x.int32('port') };
      x.nullableString('rack');
      return b;
    });
    r.nullableString('cluster_id');
    r.int32('controller_id');
    const topics = r.array('topics', 11, (x) => ({
      errorCode: x.int16('error_code'),
      name: x.string('name'),
      internal: x.bool('is_internal'),
      partitions: x.array('partitions', 18, (p) => {
        const info = { errorCode: p.int16('error_code'), partition: p.int32('partition_index'), leader: p.int32('leader_id') };
        p.array('replica_nodes', 4, (n) => n.int32('replica'));
        p.array('isr_nodes', 4, (n) => n.int32('isr'));
        return info;
      }),
    }));
    return { brokers, topics: topics.map(({ errorCode, name, partitions }) => ({ errorCode, name, partitions })) };
  },
};
