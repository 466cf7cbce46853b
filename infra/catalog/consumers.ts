/**
 * The event source mappings of the catalog's consumers, one list for both runtimes: the CDK app makes one
 * AWS::Lambda::EventSourceMapping of each, the local stack one consumer of its event-source runner. A row consuming N
 * topics is N mappings, because an MSK event source mapping takes exactly one topic (CloudFormation
 * AWS::Lambda::EventSourceMapping, Topics: at most 1 item); a per-sink row is N mappings per alert sink.
 *
 * Consumer group IDs: `<prefix><function>.<topic>.<start>`, e.g. `evpn-lens-mac-index.evpn.routes.v1.trim-horizon`.
 * Lambda requires the ID to be unique among all Kafka event sources and never updates it (Lambda developer guide,
 * "Customizable consumer group ID"); CloudFormation replaces a mapping whose topic or starting position changes by
 * creating the new one before deleting the old one. An ID built from exactly those properties therefore differs
 * whenever a replacement happens (no two mappings ever hold one ID), and stays the same across every in-place update
 * (batch size, window, pollers), which keeps the group's committed offsets.
 */
import type { TopicName } from '../../schemas/topics.js';
import { type ConsumerSpec, FUNCTIONS, type FunctionSpec } from './functions.js';

export interface ConsumerMapping {
  /** The function it invokes: the row's id, or `<id>-<sink>` for a per-sink row. */
  fnId: string;
  /** The catalog row. */
  row: FunctionSpec;
  /** The alert sink of a per-sink row. */
  sink?: string;
  topic: TopicName;
  /** The Kafka consumer group, prefix included. */
  group: string;
  /** The row's consumer settings with the deployment's overrides applied. */
  consumer: ConsumerSpec;
}

export type ConsumerOverride = Partial<Pick<ConsumerSpec, 'batchSize' | 'batchingWindowSeconds' | 'startingPosition' | 'pollers'>>;

export interface ConsumerMappingOptions {
  /** The configuration's dynamodb.tablePrefix: two deployments on one cluster keep separate groups. */
  prefix: string;
  /** Names of the configuration's alert sinks (alerts.sinks[].name). */
  sinks: readonly string[];
  functions?: readonly FunctionSpec[];
  /** Settings that replace a row's (the CDK app's `consumers` props; the local configuration's eventSource). */
  overrides?: (row: FunctionSpec) => ConsumerOverride | undefined;
}

/** The group ID of one mapping (see the header for why the starting position is part of it). */
export function consumerGroupId(prefix: string, fnId: string, topic: string, startingPosition: ConsumerSpec['startingPosition']): string {
  return `${prefix}${fnId}.${topic}.${startingPosition === 'LATEST' ? 'latest' : 'trim-horizon'}`;
}

/** The mappings of one row (and sink). */
export function mappingsOf(row: FunctionSpec, o: { prefix: string; sink?: string; override?: ConsumerOverride }): ConsumerMapping[] {
  if (!row.consumes) return [];
  const consumer: ConsumerSpec = { ...row.consumes, ...o.override };
  const fnId = o.sink === undefined ? row.id : `${row.id}-${o.sink}`;
  return consumer.topics.map((topic) => ({
    fnId,
    row,
    ...(o.sink === undefined ? {} : { sink: o.sink }),
    topic,
    group: consumerGroupId(o.prefix, fnId, topic, consumer.startingPosition),
    consumer,
  }));
}

/** Every mapping the catalog's rows make for a configuration. */
export function consumerMappings(o: ConsumerMappingOptions): ConsumerMapping[] {
  const all = (o.functions ?? FUNCTIONS).flatMap((row) => {
    const override = o.overrides?.(row);
    return row.perSink ? o.sinks.flatMap((sink) => mappingsOf(row, { prefix: o.prefix, sink, override })) : mappingsOf(row, { prefix: o.prefix, override });
  });
  const groups = all.map((m) => m.group);
  const dup = groups.find((g, i) => groups.indexOf(g) !== i);
  if (dup) throw new Error(`consumer group ${dup} would serve two event source mappings (Lambda requires one group per mapping)`);
  return all;
}
