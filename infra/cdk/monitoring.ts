/**
 * Operations: CloudWatch alarms (collector down or short of tasks, its drops and produce errors, event-source lag per
 * mapping, function errors, throttles and runs near their timeout, partitions that keep failing, table throttles, API
 * 5xx, the schedules' failed runs) to an SNS topic, and one CloudWatch dashboard of the figures `/metrics` serves
 * locally — the collector's counters (EMF through its agent), the functions' (EMF through Powertools), the index's
 * (the index-metrics task), and AWS's own for Lambda, the event source mappings, DynamoDB and the NLB.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../aws/metrics-namespace.js';
import type { CollectorService } from './collector-service.js';
import type { DeployedFunctions } from './deployed-functions.js';

const search = (expression: string, label: string, stat = 'Sum') =>
  new MathExpression({ expression: `SEARCH('${expression}', '${stat}', 60)`, label, period: Duration.minutes(1), usingMetrics: {} });

export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic: Topic;
  readonly dashboard: Dashboard;

  constructor(
    scope: Construct,
    id: string,
    p: {
      prefix: string;
      functions: DeployedFunctions;
      collector: CollectorService;
      tables: ReadonlyMap<string, ITableV2>;
      alarmEmail?: string;
      lagAlarmRecords: number;
      /** The HTTP API (5xx alarm). */
      api?: HttpApi;
      /** The collector service's minimum task count (task-count alarm). */
      collectorMinTasks: number;
      /** Topics the collector produces to (its dropped-events counter has one series per topic). */
      collectorTopics: readonly string[];
    },
  ) {
    super(scope, id);
    // CloudWatch can publish to an encrypted topic only with a customer managed key that lets it use the key.
    const key = new Key(this, 'AlarmKey', { enableKeyRotation: true, description: 'evpn-lens alarm topic' });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Alarms', { topicName: `${p.prefix}alarms`, masterKey: key, enforceSSL: true });
    if (p.alarmEmail) this.topic.addSubscription(new EmailSubscription(p.alarmEmail));
    const action = new SnsAction(this.topic);
    const alarm = (
      name: string,
      metric: IMetric,
      threshold: number,
      description: string,
      periods = 2,
      op = ComparisonOperator.GREATER_THAN_THRESHOLD,
      missing = TreatMissingData.NOT_BREACHING,
    ) => {
      const a = new Alarm(this, name, {
        alarmName: `${p.prefix}${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: op,
        treatMissingData: missing,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    const healthy = p.collector.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' });
    // A missing healthy-host figure is itself the collector being down.
    alarm(
      'collector-down',
      healthy,
      1,
      'No healthy collector task behind the BMP load balancer: routers cannot report.',
      2,
      ComparisonOperator.LESS_THAN_THRESHOLD,
      TreatMissingData.BREACHING,
    );

    const all = [...p.functions.functions.entries(), ...[...p.functions.scheduled.entries()].map(([k, v]) => [`task-${k}`, v] as const)];
    for (const [id, f] of all) {
      alarm(
        `${id}-errors`,
        f.fn.metricErrors({ period: Duration.minutes(5) }),
        0,
        `${id}: invocations failing (a consumer retries its records until they succeed).`,
        1,
      );
      alarm(`${id}-throttles`, f.fn.metricThrottles({ period: Duration.minutes(5) }), 0, `${id}: invocations throttled (concurrency).`, 1);
    }
    // Lag per mapping (one topic each): a function reading a quiet and a busy topic is behind on the busy one alone.
    for (const m of p.functions.mappings) {
      const f = p.functions.functions.get(m.fnId)!;
      const lag = new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'OffsetLag',
        dimensionsMap: { FunctionName: f.fn.functionName, EventSourceMappingUUID: m.mapping.attrId },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      });
      alarm(
        `${m.fnId}-${m.topic}-lag`,
        lag,
        p.lagAlarmRecords,
        `${m.fnId} on ${m.topic}: the event source mapping is more than ${p.lagAlarmRecords} records behind.`,
        5,
      );
    }
    for (const fnId of new Set(p.functions.mappings.map((m) => m.fnId))) {
      // FailedPartitions is reported once per invocation. Its Minimum stays 0 while any healthy partition is invoked,
      // so it can never show one stuck partition; its Sum is above 0 in every period while any partition keeps failing
      // (a lossless mapping retries it again and again).
      const failing = new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'FailedPartitions',
        dimensionsMap: { service: fnId },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
      alarm(
        `${fnId}-stuck`,
        failing,
        0,
        `${fnId}: some partition has failed in each of the last 15 minutes (a record keeps failing; it is retried, never skipped).`,
        3,
      );
    }
    for (const fnId of new Set(p.functions.mappings.map((m) => m.fnId))) {
      // Which function the table throttles (the table's own alarm below does not say): its SDK client counts the
      // throttling errors it retried (infra/aws/dynamodb-retries.ts). Throttled three 5-minute periods in a row is
      // sustained: the SDK's retry bucket empties, groups fail and are redelivered, and the partitions fall behind.
      const throttled = new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'DynamoDbThrottles',
        dimensionsMap: { service: fnId },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
      alarm(
        `${fnId}-ddb-throttled`,
        throttled,
        0,
        `${fnId}: DynamoDB throttled its requests for 15 minutes (on-demand capacity below its concurrent writes; it retries, lag grows).`,
        3,
      );
    }
    for (const [id, f] of all) {
      // A run close to its timeout is about to be cut off (and retried from the start).
      const timeoutMs = (f.fn.timeout ?? Duration.seconds(3)).toMilliseconds();
      alarm(
        `${id}-near-timeout`,
        f.fn.metricDuration({ period: Duration.minutes(5), statistic: 'Maximum' }),
        0.8 * timeoutMs,
        `${id}: an invocation took more than 80% of its ${timeoutMs / 1000} s timeout.`,
        1,
      );
    }
    for (const [tableId, t] of p.tables) {
      const throttled = new MathExpression({
        expression: 'r + w',
        usingMetrics: {
          r: t.metric('ReadThrottleEvents', { statistic: 'Sum', period: Duration.minutes(5) }),
          w: t.metric('WriteThrottleEvents', { statistic: 'Sum', period: Duration.minutes(5) }),
        },
        label: `${tableId} throttled`,
        period: Duration.minutes(5),
      });
      alarm(`table-${tableId}-throttles`, throttled, 0, `DynamoDB ${tableId}: requests throttled (the functions retry; lag grows).`, 2);
    }
    if (p.api) {
      alarm('api-5xx', p.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), 5, 'Query API: more than 5 server errors in 5 minutes.', 1);
    }
    const tasks = new Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'RunningTaskCount',
      dimensionsMap: { ClusterName: p.collector.cluster.clusterName, ServiceName: p.collector.service.serviceName },
      statistic: 'Minimum',
      period: Duration.minutes(1),
    });
    alarm(
      'collector-tasks',
      tasks,
      p.collectorMinTasks,
      `Fewer collector tasks running than the ${p.collectorMinTasks} asked for.`,
      3,
      ComparisonOperator.LESS_THAN_THRESHOLD,
      TreatMissingData.BREACHING,
    );
    // The collector's own counters (EMF through its agent: increases per minute, summed over tasks and topics).
    const collectorCounter = (name: string, topics: readonly string[] | undefined) =>
      new MathExpression({
        expression: (topics ?? ['']).map((_, i) => `m${i}`).join(' + '),
        usingMetrics: Object.fromEntries(
          (topics ?? [undefined]).map((topic, i) => [
            `m${i}`,
            new Metric({
              namespace: METRICS_NAMESPACE,
              metricName: name,
              dimensionsMap: topic ? { service: 'collector', topic } : { service: 'collector' },
              statistic: 'Sum',
              period: Duration.minutes(1),
            }),
          ]),
        ),
        label: name,
        period: Duration.minutes(1),
      });
    alarm(
      'collector-drops',
      collectorCounter('evpnlens_kafka_events_dropped_total', p.collectorTopics),
      0,
      'The collector dropped events (its Kafka buffer was full): the index misses them until the next resync.',
      1,
    );
    alarm(
      'collector-produce-errors',
      collectorCounter('evpnlens_kafka_produce_errors_total', undefined),
      0,
      'The collector failed to produce to Kafka for 3 minutes in a row (retried; events drop once its buffer fills).',
      3,
    );
    alarm(
      'schedule-dead-letters',
      p.functions.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      0,
      'Scheduled task invocations failed after their retries (dead-letter queue not empty).',
      1,
    );

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${p.prefix}operations` });
    const fnMetrics = (m: (f: (typeof all)[number][1]) => IMetric) => all.map(([, f]) => m(f));
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# evpn-lens\nCollector (BMP in, Kafka out) → MSK → functions → DynamoDB. Alarms go to the SNS topic.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Collector: BMP sessions and route events published',
        left: [search(`{${METRICS_NAMESPACE},service} MetricName="evpnlens_bmp_sessions"`, 'sessions', 'Maximum')],
        right: [search(`{${METRICS_NAMESPACE},service,route_type,action} MetricName="evpnlens_evpn_routes_total"`, 'routes')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Collector: Kafka events produced, dropped, produce errors',
        left: [
          search(`{${METRICS_NAMESPACE},service,topic} MetricName="evpnlens_kafka_events_produced_total"`, 'produced'),
          search(`{${METRICS_NAMESPACE},service,topic} MetricName="evpnlens_kafka_events_dropped_total"`, 'dropped'),
          search(`{${METRICS_NAMESPACE},service} MetricName="evpnlens_kafka_produce_errors_total"`, 'errors'),
        ],
        width: 8,
      }),
      new GraphWidget({ title: 'Collector: healthy tasks behind the NLB', left: [healthy], width: 8 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Functions: invocations', left: fnMetrics((f) => f.fn.metricInvocations({ period: Duration.minutes(1) })), width: 8 }),
      new GraphWidget({
        title: 'Functions: errors and throttles',
        left: fnMetrics((f) => f.fn.metricErrors({ period: Duration.minutes(1) })),
        right: fnMetrics((f) => f.fn.metricThrottles({ period: Duration.minutes(1) })),
        width: 8,
      }),
      new GraphWidget({
        title: 'Event source lag (records)',
        left: p.functions.mappings.map(
          (m) =>
            new Metric({
              namespace: 'AWS/Lambda',
              metricName: 'OffsetLag',
              dimensionsMap: { FunctionName: p.functions.functions.get(m.fnId)!.fn.functionName, EventSourceMappingUUID: m.mapping.attrId },
              statistic: 'Maximum',
              period: Duration.minutes(1),
              label: `${m.fnId} ${m.topic}`,
            }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'MAC index: route events, writes, failed partitions',
        left: [
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'RouteEvents',
            dimensionsMap: { service: 'mac-index' },
            statistic: 'Sum',
            period: Duration.minutes(1),
          }),
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'DynamoDbWrites',
            dimensionsMap: { service: 'mac-index' },
            statistic: 'Sum',
            period: Duration.minutes(1),
          }),
        ],
        right: [
          new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'FailedPartitions',
            dimensionsMap: { service: 'mac-index' },
            statistic: 'Sum',
            period: Duration.minutes(1),
          }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Index: MACs and moves per minute per fabric',
        left: [search(`{${METRICS_NAMESPACE},fabric,service} MetricName="IndexMacs"`, 'MACs', 'Maximum')],
        right: [search(`{${METRICS_NAMESPACE},fabric,service} MetricName="MovesPerMinute"`, 'moves/min', 'Maximum')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Active alerts by type',
        left: [search(`{${METRICS_NAMESPACE},service,type} MetricName="ActiveAlerts"`, 'alerts', 'Maximum')],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      ...[...p.tables.entries()].map(
        ([tableId, t]) =>
          new GraphWidget({
            title: `DynamoDB ${tableId}: consumed capacity, throttled requests`,
            left: [t.metricConsumedWriteCapacityUnits({ period: Duration.minutes(1) }), t.metricConsumedReadCapacityUnits({ period: Duration.minutes(1) })],
            right: [t.metric('WriteThrottleEvents', { period: Duration.minutes(1), statistic: 'Sum' })],
            width: 12,
          }),
      ),
    );
  }
}
