/**
 * Every row of infra/catalog/functions.ts and infra/catalog/schedules.ts as Lambda functions: the consumers with their
 * MSK event source mappings (provisioned poller mode, ReportBatchItemFailures, bisect on error; lossless rows retry
 * for ever with no on-failure destination, bounded rows retry N times and then go to their Kafka failure topic), the
 * scheduled tasks behind EventBridge Scheduler, and each role granted exactly its tables, topics and configuration.
 * Rows that deliver alerts (the notifier, the Alertmanager re-send) become one function per sink of the deployed
 * configuration (EVPN_LENS_SINK naming it; none without sinks), each with its own consumer group, egress to its sink
 * only on 443 and the sink URL's port, and read access to that sink's SSM parameters only.
 */
import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IVpc, Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnEventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLES } from '../../schemas/tables/index.js';
import { METRICS_NAMESPACE } from '../aws/metrics-namespace.js';
import { SECRET_PREFIXES } from '../aws/ssm-secrets.js';
import { type ConsumerMapping, mappingsOf } from '../catalog/consumers.js';
import type { FunctionSpec } from '../catalog/functions.js';
import { type ScheduledTask, scheduleMinutes } from '../catalog/schedules.js';
import type { Config } from '../config/schema.js';
import { type NamedSink, namedSinks, SINK_ENV, secretNamesOf } from '../config/sinks.js';
import type { ConfigStore } from './config-store.js';
import { EvpnFunction } from './evpn-function.js';
import { accept } from './nag.js';
import type { ConsumerOverrides } from './props.js';
import { ssmParameterReadStatement } from './ssm-parameter-policy.js';
import { MSK_IAM_PORT, type Streaming } from './streaming.js';

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
  /** The provisioned poller group every mapping joins (they share its event poller units); undefined: one each. */
  pollerGroup?: string;
}

/** Lambda function and EventBridge schedule names: at most 64 characters. */
const MAX_NAME = 64;

/** The TCP port a sink URL given in the file is reached on (a URL read from SSM is unknown at synth: 443). */
export function sinkPort(sink: NamedSink): number {
  if (!sink.settings.url) return 443;
  const u = new URL(sink.settings.url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

export class DeployedFunctions extends Construct {
  readonly functions = new Map<string, EvpnFunction>();
  readonly scheduled = new Map<string, EvpnFunction>();
  readonly mappings: { fnId: string; topic: string; group: string; mapping: CfnEventSourceMapping }[] = [];
  /** Scheduled runs that failed: scheduler deliveries after their retries, and function errors (alarmed on). */
  readonly deadLetters: Queue;

  constructor(
    scope: Construct,
    id: string,
    private readonly p: DeployedFunctionsProps,
  ) {
    super(scope, id);
    const sinks = namedSinks(p.cfg);
    for (const spec of p.functions) {
      if (!spec.perSink) this.functions.set(spec.id, this.#function(spec));
      else for (const sink of sinks) this.functions.set(`${spec.id}-${sink.name}`, this.#function(spec, sink));
    }
    this.deadLetters = new Queue(this, 'ScheduleDeadLetters', {
      queueName: `${p.prefix}schedule-dead-letters`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    accept(this.deadLetters, { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the schedules.' });
    for (const task of p.schedules) {
      if (task.only === 'local') continue;
      const types = task.sinks;
      if (!types) this.scheduled.set(task.id, this.#scheduled(task));
      else for (const sink of sinks.filter((s) => types.includes(s.settings.type))) this.scheduled.set(`${task.id}-${sink.name}`, this.#scheduled(task, sink));
    }
  }

  #common(o: { produces?: readonly string[]; tables: FunctionSpec['tables'] }, name: string, sink?: NamedSink) {
    const functionName = `${this.p.prefix}${name}`;
    if (functionName.length > MAX_NAME)
      throw new Error(
        `${functionName}: longer than the ${MAX_NAME} characters of a Lambda function name${sink ? ` (shorten alerts.sinks[${sink.index}].name)` : ''}`,
      );
    const kafka = (o.produces?.length ?? 0) > 0;
    // A sink may sit in the VPC (an internal Alertmanager): the functions delivering to it run there too.
    const needsVpc = kafka || sink !== undefined;
    const environment: Record<string, string> = { EVPN_LENS_CONFIG: this.p.config.location, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE };
    if (kafka) Object.assign(environment, { KAFKA_BROKERS: this.p.streaming.bootstrapBrokers, KAFKA_AUTH: 'iam' });
    if (sink) environment[SINK_ENV] = sink.name;
    let securityGroups: SecurityGroup[] | undefined;
    if (sink) securityGroups = [this.#sinkSecurityGroup(name, sink, kafka)];
    else if (kafka) securityGroups = [this.p.streaming.clientSecurityGroup(`${name}Sg`, this.p.vpc, `evpn-lens ${name}`)];
    return { functionName, needsVpc, environment, securityGroups };
  }

  /**
   * Egress of a function delivering to a sink: HTTPS (AWS APIs through the NAT or endpoints, and https sinks), the
   * sink URL's own port when the file gives one, and MSK when it produces (dead letters); nothing else.
   */
  #sinkSecurityGroup(name: string, sink: NamedSink, kafka: boolean): SecurityGroup {
    const sg = new SecurityGroup(this, `${name}Sg`, { vpc: this.p.vpc, description: `evpn-lens ${name}`, allowAllOutbound: false });
    // Egress here and ingress on the cluster's group, as separate rules (the two groups refer to each other).
    if (kafka) sg.connections.allowTo(this.p.streaming.securityGroup, Port.tcp(MSK_IAM_PORT), `${name} to MSK (IAM, TLS)`);
    sg.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs (SSM, DynamoDB, STS) and https sinks');
    const port = sinkPort(sink);
    if (port !== 443) sg.addEgressRule(Peer.anyIpv4(), Port.tcp(port), `alert sink ${sink.name} (${sink.settings.url})`);
    return sg;
  }

  #grant(f: EvpnFunction, o: { produces?: readonly string[]; tables: FunctionSpec['tables'] }, sink?: NamedSink): void {
    this.p.config.grantRead(f.role);
    const secrets = sink ? secretNamesOf(sink.settings) : [];
    // The sink's URL and secret (runtime.ts reads them with decryption).
    if (secrets.length > 0) f.role.addToPolicy(ssmParameterReadStatement(this, SECRET_PREFIXES.sinks.default, secrets));
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

  #function(spec: FunctionSpec, sink?: NamedSink): EvpnFunction {
    const id = sink ? `${spec.id}-${sink.name}` : spec.id;
    const { functionName, needsVpc, environment, securityGroups } = this.#common(spec, id, sink);
    const consumer = spec.consumes ? { ...spec.consumes, ...this.p.consumers?.[spec.id] } : undefined;
    // One invocation at a time per partition is what the mapping sends at most; reserving that many keeps every
    // partition's turn from being throttled by other functions of the account (and bounds the table's write rate).
    const reserved = consumer && this.p.reservedConcurrency ? consumer.topics.reduce((n, t) => n + this.p.partitionsOf(t), 0) : undefined;
    const f = new EvpnFunction(this, id, {
      functionName,
      description: sink ? `${spec.description} (sink ${sink.name})` : spec.description,
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
    this.#grant(f, spec, sink);
    // The same mappings as the local stack's (infra/catalog/consumers.ts): one per topic, each in its own group.
    const mappings = mappingsOf(spec, { prefix: this.p.prefix, sink: sink?.name, override: this.p.consumers?.[spec.id] });
    if (mappings.length) this.#consume(id, f, mappings);
    return f;
  }

  #consume(fnId: string, f: EvpnFunction, mappings: ConsumerMapping[]): void {
    const c = mappings[0]!.consumer;
    this.p.streaming.grantConsume(
      f.role,
      mappings.map((m) => m.topic),
      mappings.map((m) => m.group),
    );
    accept(f.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'MSK event source mapping: the pollers attach to the cluster subnets; those EC2 actions take no resource-level permissions.',
    });
    if (c.delivery.kind === 'bounded') this.p.streaming.grantProduce(f.role, [c.delivery.onFailureTopic]);
    for (const { topic, group } of mappings) {
      const bounded = c.delivery.kind === 'bounded' ? c.delivery : undefined;
      const mapping = new CfnEventSourceMapping(this, `${fnId}-${topic}`, {
        functionName: f.fn.functionArn,
        eventSourceArn: this.p.streaming.clusterArn,
        topics: [topic],
        startingPosition: c.startingPosition,
        batchSize: c.batchSize,
        maximumBatchingWindowInSeconds: c.batchingWindowSeconds,
        amazonManagedKafkaEventSourceConfig: { consumerGroupId: group },
        // Provisioned poller mode: required for the Kafka error-handling controls below.
        // One poller group for all mappings: they share event poller units instead of each paying for its minimum
        // (Lambda API ProvisionedPollerConfig.PollerGroupName: up to 100 mappings, 2,000 pollers in all).
        provisionedPollerConfig: { minimumPollers: c.pollers.min, maximumPollers: c.pollers.max, pollerGroupName: this.p.pollerGroup },
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
      this.mappings.push({ fnId, topic, group, mapping });
    }
  }

  #scheduled(task: ScheduledTask, sink?: NamedSink): EvpnFunction {
    const taskId = sink ? `${task.id}-${sink.name}` : task.id;
    const name = `task-${taskId}`;
    const { functionName, needsVpc, environment, securityGroups } = this.#common(task, name, sink);
    const minutes = scheduleMinutes(task, this.p.cfg);
    const f = new EvpnFunction(this, name, {
      functionName,
      description: sink ? `${task.description} (sink ${sink.name})` : task.description,
      bundle: 'scheduled',
      buildRoot: this.p.buildRoot,
      memoryMb: 512,
      // A sub-minute task repeats for its minute: room for the last run on top.
      timeout: Duration.seconds(Math.min(900, minutes * 60 + 60)),
      environment: { ...environment, EVPN_LENS_TASK: task.id },
      retention: this.p.retention,
      vpc: needsVpc ? this.p.vpc : undefined,
      securityGroups,
      // Runs never overlap: one execution at a time. A run the scheduler starts while the last is still going is
      // throttled, retried by Lambda's asynchronous queue for at most a minute, then dropped to the failure
      // destination (overruns are alarmed on, not queued up).
      reservedConcurrency: 1,
    });
    // EventBridge Scheduler invokes asynchronously: its retries and dead-letter queue cover the delivery only. A run
    // that fails (or waited too long) goes to the same queue from Lambda's side; the next schedule runs it again.
    f.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1), onFailure: new SqsDestination(this.deadLetters) });
    this.#grant(f, task, sink);
    // The scheduler's role may invoke this function only (the target grants the function and its versions, ":*").
    const role = new Role(this, `${name}-scheduler`, { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    accept(role, {
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(f.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason: `EventBridge Scheduler may invoke ${name} and its versions (":*"), nothing else.`,
    });
    new Schedule(this, `${name}-schedule`, {
      scheduleName: `${this.p.prefix}${taskId}`,
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
