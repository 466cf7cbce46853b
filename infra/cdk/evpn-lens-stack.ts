/**
 * The evpn-lens deployment (everything but the tables, which live in EvpnLensDataStack so that this stack can be
 * replaced without touching the data): VPC, MSK and its topics, the functions of infra/catalog with their event
 * source mappings and schedules, the HTTP API, the dashboard on CloudFront, the collector on Fargate behind an NLB,
 * alarms and a dashboard.
 */
import { join, resolve } from 'node:path';
import { Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { GNMI_SLOTS, GNMI_SLOTS_TOPIC } from '../../collector/gnmi/slot-membership.js';
import { ALL_TOPICS, TOPICS, type TopicName } from '../../schemas/topics.js';
import { FUNCTIONS, type FunctionSpec, failureTopics } from '../catalog/functions.js';
import { SCHEDULES, type ScheduledTask } from '../catalog/schedules.js';
import { BMP_PORT, COLLECTOR_TOPICS, CollectorService } from './collector-service.js';
import { ConfigStore } from './config-store.js';
import { DeployedFunctions } from './deployed-functions.js';
import { Monitoring } from './monitoring.js';
import { Network } from './network.js';
import type { EvpnLensProps } from './props.js';
import { QueryApi } from './query-api.js';
import { Streaming } from './streaming.js';
import { checkDeployable } from './synth-checks.js';
import { Web } from './web.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface EvpnLensStackProps extends StackProps, EvpnLensProps {
  tables: ReadonlyMap<string, ITableV2>;
  /** The rows to deploy (tests may pass others); default the catalog's. */
  functions?: readonly FunctionSpec[];
  schedules?: readonly ScheduledTask[];
}

/**
 * Hours each topic keeps its records unless retentionHours says otherwise. Routes and telemetry are the volume (the
 * README's sizing: at 10,000 events/s of ~150 B a provisioned cluster takes ~130 GB a day before replication): two
 * days cover a weekend's consumer outage; sessions and alerts are small and kept a week; dead letters two weeks.
 */
export const DEFAULT_RETENTION_HOURS: Record<TopicName, number> = {
  [TOPICS.routes]: 48,
  [TOPICS.vtepTelemetry]: 24,
  [TOPICS.sessions]: 168,
  [TOPICS.alerts]: 168,
  [TOPICS.alertsDeadLetter]: 336,
};

/** CloudWatch Logs retention in days, as the enum CDK takes. */
function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0);
  return (allowed.find((d) => d >= days) ?? RetentionDays.ONE_MONTH) as RetentionDays;
}

export class EvpnLensStack extends Stack {
  readonly config: ConfigStore;
  readonly streaming: Streaming;
  readonly deployed: DeployedFunctions;
  readonly api: QueryApi;
  readonly web: Web;
  readonly collector: CollectorService;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, p: EvpnLensStackProps) {
    super(scope, id, p);
    const buildRoot = p.buildRoot ?? REPO_ROOT;
    const retention = retentionOf(p.logRetentionDays ?? 30);
    this.config = new ConfigStore(this, 'Config', { file: p.configFile, parameterName: `/${id}/config` });
    const cfg = this.config.config;
    checkDeployable(cfg, BMP_PORT);
    const prefix = cfg.dynamodb.tablePrefix;
    const network = new Network(this, 'Network', p.network, retention);
    const functions = p.functions ?? FUNCTIONS;
    const partitionsOf = (topic: string) => p.partitions?.[topic] ?? cfg.kafka.partitions;
    this.streaming = new Streaming(this, 'Streaming', {
      prefix,
      vpc: network.vpc,
      msk: p.msk ?? { mode: 'serverless' },
      topics: [
        ...[...ALL_TOPICS, ...failureTopics(functions)].map((name) => {
          const hours = p.retentionHours?.[name] ?? DEFAULT_RETENTION_HOURS[name as TopicName] ?? DEFAULT_RETENTION_HOURS[TOPICS.alertsDeadLetter];
          return { name, partitions: partitionsOf(name), retentionMs: hours * 3_600_000 };
        }),
        // The gNMI tasks' membership (its partitions are the slots they divide; it carries no records).
        ...(cfg.collector.gnmi.targets.length > 0 ? [{ name: GNMI_SLOTS_TOPIC, partitions: GNMI_SLOTS, retentionMs: 3_600_000 }] : []),
      ],
      buildRoot,
      retention,
    });
    this.deployed = new DeployedFunctions(this, 'Functions', {
      prefix,
      buildRoot,
      retention,
      vpc: network.vpc,
      streaming: this.streaming,
      config: this.config,
      cfg,
      tables: p.tables,
      functions,
      schedules: p.schedules ?? SCHEDULES,
      consumers: p.consumers,
      reservedConcurrency: p.reservedConcurrency ?? true,
      partitionsOf,
      pollerGroup: p.pollerGroup === false ? undefined : (p.pollerGroup ?? `${prefix}pollers`),
    });
    const httpFn = functions.find((f) => f.http);
    if (!httpFn) throw new Error('no function of the catalog serves HTTP');
    let web: Web | undefined;
    this.api = new QueryApi(this, 'Api', {
      prefix,
      fn: this.deployed.functions.get(httpFn.id)!.fn,
      api: p.api,
      retention,
      dashboardUrl: () => Lazy.string({ produce: () => web!.url }),
    });
    web = new Web(this, 'Web', { prefix, dashboardDir: join(REPO_ROOT, 'dashboard'), apiDomainName: this.api.domainName, signIn: this.api.signIn });
    this.web = web;
    this.collector = new CollectorService(this, 'Collector', {
      prefix,
      vpc: network.vpc,
      vpcCidr: network.cidr,
      buildRoot,
      streaming: this.streaming,
      config: this.config,
      collector: p.collector,
      retention,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      prefix,
      functions: this.deployed,
      collector: this.collector,
      tables: p.tables,
      alarmEmail: p.alarmEmail,
      lagAlarmRecords: p.lagAlarmRecords ?? 100_000,
      api: this.api.api,
      collectorMinTasks: p.collector.minTasks ?? 1,
      collectorTopics: COLLECTOR_TOPICS,
    });
  }
}
