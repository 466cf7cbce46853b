/**
 * Every function of functions/ as it is deployed: one row each. The CDK app builds a Lambda function (and its MSK event
 * source mappings, HTTP routes, IAM grants) from each row, `npm run build` bundles each row's entry point, and a test
 * fails when a function in functions/ has no row. Adding a function: write its Lambda entry point under
 * infra/aws/lambda/ (a few lines: see mac-index.ts) and add a row here.
 */
import { createApiHandler } from '../../functions/api/handler.js';
import { createHealthHandler } from '../../functions/health/handler.js';
import { createMacIndexHandler } from '../../functions/mac-index/handler.js';
import { createNotifyHandler } from '../../functions/notify/handler.js';
import { createRouteIndexHandler } from '../../functions/route-index/handler.js';
import { HEALTH_TABLE_ID, INDEX_TABLE_ID } from '../../schemas/tables/index.js';
import { TOPICS, type TopicName } from '../../schemas/topics.js';

/**
 * What happens to records that keep failing.
 * - lossless: retried until they succeed (MaximumRetryAttempts -1, no on-failure destination: AWS caps retries at 10
 *   when a destination is set, and records then leave the function). A partition stalls rather than skips.
 * - bounded: retried `maxRetries` times, then sent to the Kafka topic `onFailureTopic` (created with the others).
 */
export type Delivery = { kind: 'lossless' } | { kind: 'bounded'; maxRetries: number; onFailureTopic: string };

export interface ConsumerSpec {
  topics: TopicName[];
  delivery: Delivery;
  /** Records per invocation (MSK: 1-10,000). */
  batchSize: number;
  /** How long the mapping gathers records before invoking (MSK: 0-300 s). */
  batchingWindowSeconds: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Provisioned poller mode (needed for the error-handling controls and ReportBatchItemFailures). */
  pollers: { min: number; max: number };
}

export interface FunctionSpec {
  /** Also the bundle's name: dist/lambda/<id>/index.mjs. */
  id: string;
  description: string;
  /** The function's folder in functions/. */
  source: string;
  /** The factory it runs (the deployment test checks each exported factory of functions/ has a row). */
  factory: (...args: never[]) => unknown;
  /** The Lambda entry point, relative to the repository root. */
  entry: string;
  consumes?: ConsumerSpec;
  /** Behind the HTTP API (API Gateway payload v2). */
  http?: boolean;
  /** The tables of schemas/tables it uses, by table id, and how. */
  tables: Partial<Record<string, 'read' | 'read-write'>>;
  /** Topics it produces to (needs the VPC and kafka-cluster:WriteData). */
  produces?: TopicName[];
  memoryMb: number;
  timeoutSeconds: number;
  /**
   * One function per alert sink of the configuration (alerts.sinks[]), EVPN_LENS_SINK naming it, each with its own
   * event source mapping and consumer group (`<prefix>notify-<sink>`), egress to its sink, and the sink's secrets.
   */
  perSink?: boolean;
}

/** Lambda allocates CPU in proportion to memory: one vCPU at 1,769 MB (AWS Lambda Developer Guide, "Memory and computing power"). */
export const LAMBDA_MB_PER_VCPU = 1769;

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    id: 'mac-index',
    description: 'MAC/VNI index, move history and MAC alerts from evpn.routes.v1 (RESYNC_COMPLETE from evpn.sessions.v1)',
    source: 'functions/mac-index',
    factory: createMacIndexHandler,
    entry: 'infra/aws/lambda/mac-index.ts',
    consumes: {
      // Sessions too: RESYNC_COMPLETE withdraws the paths a router no longer has after a collector restart.
      topics: [TOPICS.routes, TOPICS.sessions],
      delivery: { kind: 'lossless' },
      batchSize: 500,
      batchingWindowSeconds: 1,
      startingPosition: 'TRIM_HORIZON',
      pollers: { min: 1, max: 4 },
    },
    tables: { [INDEX_TABLE_ID]: 'read-write' },
    produces: [TOPICS.alerts],
    // One full vCPU (Lambda: 1 vCPU per 1,769 MB): the bench (npm run bench -- index-aws-model) measures the handler
    // and its SDK client using one CPU-second per ~450-1,000 new-MAC events, so one Node thread's vCPU is the limit
    // before the 5 ms round trips are; more memory would buy a second vCPU that one thread cannot use (README, AWS).
    memoryMb: LAMBDA_MB_PER_VCPU,
    timeoutSeconds: 120,
  },
  {
    id: 'route-index',
    description: 'Ethernet segments (type 1/4, DF election) and IP prefixes (type 5) from evpn.routes.v1 (RESYNC_COMPLETE from evpn.sessions.v1)',
    source: 'functions/route-index',
    factory: createRouteIndexHandler,
    entry: 'infra/aws/lambda/route-index.ts',
    consumes: {
      // Sessions too: RESYNC_COMPLETE sweeps the router's segment and prefix paths of older epochs.
      topics: [TOPICS.routes, TOPICS.sessions],
      delivery: { kind: 'lossless' },
      batchSize: 500,
      batchingWindowSeconds: 1,
      startingPosition: 'TRIM_HORIZON',
      pollers: { min: 1, max: 2 },
    },
    tables: { [INDEX_TABLE_ID]: 'read-write' },
    memoryMb: 512,
    timeoutSeconds: 120,
  },
  {
    id: 'health',
    description: 'Fabric health (routers, sessions, routes, VTEPs, VXLAN rates, status) from sessions, routes, telemetry and alerts',
    source: 'functions/health',
    factory: createHealthHandler,
    entry: 'infra/aws/lambda/health.ts',
    consumes: {
      topics: [TOPICS.sessions, TOPICS.routes, TOPICS.vtepTelemetry, TOPICS.alerts],
      delivery: { kind: 'lossless' },
      batchSize: 1000,
      batchingWindowSeconds: 1,
      startingPosition: 'TRIM_HORIZON',
      pollers: { min: 1, max: 4 },
    },
    // Its own table, and fabric-status alerts in the index table.
    tables: { [HEALTH_TABLE_ID]: 'read-write', [INDEX_TABLE_ID]: 'read-write' },
    produces: [TOPICS.alerts],
    // The same rule as the MAC index's (the same pool and SDK client per invocation): one full vCPU.
    memoryMb: LAMBDA_MB_PER_VCPU,
    timeoutSeconds: 120,
  },
  {
    id: 'notify',
    description: 'Delivers alert raises and clears to one sink (Alertmanager, webhook, Slack); dead letters to evpn.alerts.dlq.v1',
    source: 'functions/notify',
    factory: createNotifyHandler,
    entry: 'infra/aws/lambda/notify.ts',
    perSink: true,
    consumes: {
      topics: [TOPICS.alerts],
      // The handler retries within an invocation, hands records back, and dead-letters them itself after
      // alerts.delivery.deadLetterAfterSeconds: the mapping never drops anything.
      delivery: { kind: 'lossless' },
      batchSize: 100,
      batchingWindowSeconds: 0,
      startingPosition: 'LATEST',
      pollers: { min: 1, max: 1 },
    },
    tables: { [INDEX_TABLE_ID]: 'read' },
    produces: [TOPICS.alertsDeadLetter],
    memoryMb: 256,
    timeoutSeconds: 60,
  },
  {
    id: 'api',
    description: 'Query API (hosts, VNIs, VTEPs, fabrics, alerts)',
    source: 'functions/api',
    factory: createApiHandler,
    entry: 'infra/aws/lambda/api.ts',
    http: true,
    tables: { [INDEX_TABLE_ID]: 'read', [HEALTH_TABLE_ID]: 'read' },
    memoryMb: 512,
    timeoutSeconds: 10,
  },
];

/** Kafka topics on failure of bounded consumers: deployed with the event topics. */
export function failureTopics(fns: readonly FunctionSpec[] = FUNCTIONS): string[] {
  return fns.flatMap((f) => (f.consumes?.delivery.kind === 'bounded' ? [f.consumes.delivery.onFailureTopic] : []));
}
