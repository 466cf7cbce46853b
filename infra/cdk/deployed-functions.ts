/**
 * Every row of infra/catalog/functions.ts and infra/catalog/schedules.ts as Lambda functions: the consumers with their
 * MSK event source mappings (provisioned poller mode, ReportBatchItemFailures, bisect on error; lossless rows retry
 * for ever with no on-failure destination, bounded rows retry N times and then go to their Kafka failure topic), the
 * scheduled tasks behind EventBridge Scheduler, and each role granted exactly its tables, topics and configuration.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnEventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES } from '../../schemas/tables/index.js';
import { METRICS_NAMESPACE } from '../aws/metrics-namespace.js';
import type { ConsumerSpec, FunctionSpec } from '../catalog/functions.js';
import { type ScheduledTask, scheduleMinutes } from '../catalog/schedules.js';
import type { Config } from '../config/schema.js';
import type { ConfigStore } from './config-store.js';
import { EvpnFunction } from './evpn-function.js';
import { accept } from './nag.js';
import type { ConsumerOverrides } from './props.js';
import type { Streaming } from './streaming.js';

const TABLE_READ = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const TABLE_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export interface DeployedFunctionsProps {
  prefix: string;
  buildRoot: string;
  retention: RetentionDays;
  vpc: IVpc;
  streaming: Streaming;
  config: ConfigStore;
  cfg: Config;
  tables: ReadonlyMap<string, ITableV2>;
  functions: readonly FunctionSpec[];
  schedules: readonly ScheduledTask[];
  consumers?: Record<string, ConsumerOverrides>;
  reservedConcurrency: boolean;
  partitionsOf: (topic: string) => number;
}

/** The consumer group of one function on one topic (unique per event source mapping, as Lambda requires). */
export function consumerGroupOf(prefix: string, fnId: string, topic: string): string {
  return `${prefix}${fnId}.${topic}`;
}

export class DeployedFunctions extends Construct {
  readonly functions = new Map<string, EvpnFunction>();
  readonly scheduled = new Map<string, EvpnFunction>();
  readonly mappings: { fnId: string; topic: string; mapping: CfnEventSourceMapping }[] = [];
  /** Scheduler invocations that failed after their retries land here (alarmed on). */
  readonly deadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    private readonly p: DeployedFunctionsProps,
  ) {
    super(scope, id);
    for (const spec of p.functions) this.functions.set(spec.id, this.#function(spec));
    this.deadLetters = new Queue(this, 'ScheduleDeadLetters', {
      queueName: `${p.prefix}schedule-dead-letters`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    accept(this.deadLetters, { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the schedules.' });
    for (const task of p.schedules) if (task.only !== 'local') this.scheduled.set(task.id, this.#scheduled(task));
  }

  #common(o: { produces?: readonly string[]; tables: FunctionSpec['tables'] }, name: string) {
    const needsVpc = (o.produces?.length ?? 0) > 0;
    const environment: Record<string, string> = { EVPN_LENS_CONFIG: this.p.config.location, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE };
    if (needsVpc) Object.assign(environment, { KAFKA_BROKERS: this.p.streaming.bootstrapBrokers, KAFKA_AUTH: 'iam' });
    const securityGroups = needsVpc ? [this.p.streaming.clientSecurityGroup(`${name}Sg`, this.p.vpc, `evpn-lens ${name}`)] : undefined;
    return { needsVpc, environment, securityGroups };
  }

  #grant(f: EvpnFunction, o: { produces?: readonly string[]; tables: FunctionSpec['tables'] }): void {
    this.p.config.grantRead(f.role);
    for (const [tableId, access] of Object.entries(o.tables)) {
      const table = this.p.tables.get(tableId);
      const def = TABLES.find((t) => t.id === tableId);
      if (!table || !def) throw new Error(`no table "${tableId}" is deployed (schemas/tables)`);
      // The table and its indexes by name (TableV2's grants name the indexes with index/*).
      f.role.addToPolicy(
        new PolicyStatement({
          actions: access === 'read-write' ? [...TABLE_READ, ...TABLE_WRITE] : TABLE_READ,
          resources: [table.tableArn, ...def.globalIndexes.map((g) => `${table.tableArn}/index/${g.indexName}`)],
        }),
      );
    }
    if (o.produces?.length) {
      this.p.streaming.grantProduce(f.role, [...o.produces]);
      f.fn.node.addDependency(this.p.streaming.topics);
    }
  }

  #function(spec: FunctionSpec): EvpnFunction {
    const { needsVpc, environment, securityGroups } = this.#common(spec, spec.id);
    const consumer = spec.consumes ? { ...spec.consumes, ...this.p.consumers?.[spec.id] } : undefined;
    // One invocation at a time per partition is what the mapping sends at most; reserving that many keeps every
    // partition's turn from being throttled by other functions of the account (and bounds the table's write rate).
    const reserved = consumer && this.p.reservedConcurrency ? consumer.topics.reduce((n, t) => n + this.p.partitionsOf(t), 0) : undefined;
    const f = new EvpnFunction(this, spec.id, {
      functionName: `${this.p.prefix}${spec.id}`,
      description: spec.description,
      bundle: spec.id,
      buildRoot: this.p.buildRoot,
      memoryMb: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      environment,
      retention: this.p.retention,
      vpc: needsVpc ? this.p.vpc : undefined,
      securityGroups,
      reservedConcurrency: reserved,
    });
    this.#grant(f, spec);
    if (consumer) this.#consume(spec.id, f, consumer);
    return f;
  }

  #consume(fnId: string, f: EvpnFunction, c: ConsumerSpec): void {
    const groups = c.topics.map((t) => consumerGroupOf(this.p.prefix, fnId, t));
    this.p.streaming.grantConsume(f.role, [...c.topics], groups);
    accept(f.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'MSK event source mapping: the pollers attach to the cluster subnets; those EC2 actions take no resource-level permissions.',
    });
    if (c.delivery.kind === 'bounded') this.p.streaming.grantProduce(f.role, [c.delivery.onFailureTopic]);
    c.topics.forEach((topic, i) => {
      const bounded = c.delivery.kind === 'bounded' ? c.delivery : undefined;
      const mapping = new CfnEventSourceMapping(this, `${fnId}-${topic}`, {
        functionName: f.fn.functionArn,
        eventSourceArn: this.p.streaming.clusterArn,
        topics: [topic],
        startingPosition: c.startingPosition,
        batchSize: c.batchSize,
        maximumBatchingWindowInSeconds: c.batchingWindowSeconds,
        amazonManagedKafkaEventSourceConfig: { consumerGroupId: groups[i]! },
        // Provisioned poller mode: required for the Kafka error-handling controls below.
        provisionedPollerConfig: { minimumPollers: c.pollers.min, maximumPollers: c.pollers.max },
        functionResponseTypes: ['ReportBatchItemFailures'],
        bisectBatchOnFunctionError: true,
        // Lossless: -1 retries for ever and no destination (with a destination AWS caps retries at 10 and the records
        // leave the function). Bounded: N retries, then the Kafka failure topic.
        maximumRetryAttempts: bounded ? bounded.maxRetries : -1,
        maximumRecordAgeInSeconds: -1,
        destinationConfig: bounded ? { onFailure: { destination: `kafka://${bounded.onFailureTopic}` } } : undefined,
        metricsConfig: { metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      });
      // The role must hold its MSK permissions before the mapping is created, and the topic must exist.
      mapping.node.addDependency(f.role, this.p.streaming.topics);
      this.mappings.push({ fnId, topic, mapping });
    });
  }

  #scheduled(task: ScheduledTask): EvpnFunction {
    const name = `task-${task.id}`;
    const { needsVpc, environment, securityGroups } = this.#common(task, name);
    const minutes = scheduleMinutes(task, this.p.cfg);
    const f = new EvpnFunction(this, name, {
      functionName: `${this.p.prefix}${name}`,
      description: task.description,
      bundle: 'scheduled',
      buildRoot: this.p.buildRoot,
      memoryMb: 512,
      // A sub-minute task repeats for its minute: room for the last run on top.
      timeout: Duration.seconds(Math.min(900, minutes * 60 + 60)),
      environment: { ...environment, EVPN_LENS_TASK: task.id },
      retention: this.p.retention,
      vpc: needsVpc ? this.p.vpc : undefined,
      securityGroups,
    });
    this.#grant(f, task);
    // The scheduler's role may invoke this function only (the target grants the function and its versions, ":*").
    const role = new Role(this, `${name}-scheduler`, { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    accept(role, {
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(f.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: `EventBridge Scheduler may invoke ${name} and its versions (":*"), nothing else.`,
    });
    new Schedule(this, `${name}-schedule`, {
      scheduleName: `${this.p.prefix}${task.id}`,
      description: task.description,
      schedule: ScheduleExpression.rate(Duration.minutes(minutes)),
      target: new LambdaInvoke(f.fn, {
        role,
        input: ScheduleTargetInput.fromObject({ task: task.id }),
        retryAttempts: 2,
        maxEventAge: Duration.minutes(minutes + 1),
        deadLetterQueue: this.deadLetters,
      }),
    });
    return f;
  }
}
