/**
 * Every periodic task, one row each, run by the same code everywhere: locally on a timer of the local stack, on AWS as
 * a Lambda function invoked once a minute by an EventBridge Scheduler schedule (the CDK app builds both from this
 * table; the deployment test checks each row is deployed). EventBridge's finest rate is one minute, so a task with a
 * shorter period runs again and again within its invocation until the minute is over: the same period as locally.
 * Adding a task: add a row; its `run` gets the same FunctionContext the functions are built from.
 */
import { listAlerts, listFabrics } from '../../functions/api/fabric-alert-routes.js';
import type { SinkType } from '../../functions/notify/sink-config.js';
import { ALERT_KINDS, HEALTH_TABLE_ID, INDEX_TABLE_ID } from '../../schemas/tables/index.js';
import { TOPICS, type TopicName } from '../../schemas/topics.js';
import type { Config } from '../config/schema.js';
import type { FunctionContext } from './context.js';

/** Figures a task reports (CloudWatch metrics through EMF on AWS; locally /metrics has its own gauges). */
export interface MetricSink {
  gauge(name: string, value: number, dimensions?: Record<string, string>): void;
}

export interface ScheduledTask {
  /** Also the Lambda function's name suffix. */
  id: string;
  description: string;
  /** How often it runs (ms), from the configuration. */
  periodMs(cfg: Config): number;
  /** Where it runs: both (default), or only on AWS (CloudWatch metrics; locally /metrics has them). */
  only?: 'aws' | 'local';
  /** The tables of schemas/tables it uses, by table id, and how. */
  tables: Partial<Record<string, 'read' | 'read-write'>>;
  /** Topics it produces to (needs the VPC and kafka-cluster:WriteData on AWS). */
  produces?: TopicName[];
  /**
   * Delivers to the alert sinks of these types: reads their secrets (SSM on AWS) and needs egress to them. On AWS one
   * function and schedule per such sink (EVPN_LENS_SINK naming it); none when the configuration has no such sink.
   */
  sinks?: readonly SinkType[];
  run(ctx: FunctionContext, metrics: MetricSink): Promise<unknown>;
}

export const SCHEDULES: readonly ScheduledTask[] = [
  {
    id: 'mac-sweep',
    description: 'Raises duplicate-MAC alerts held long enough and clears quiet alerts (and publishes both)',
    periodMs: (cfg) => cfg.macIndex.sweepSeconds * 1000,
    tables: { [INDEX_TABLE_ID]: 'read-write' },
    produces: [TOPICS.alerts],
    run: (ctx) => ctx.macIndex().sweep(),
  },
  {
    id: 'health-tick',
    description: 'Re-evaluates every fabric status at the current time (stale sources, rates) and publishes fabric-status transitions',
    periodMs: (cfg) => cfg.health.tickSeconds * 1000,
    tables: { [HEALTH_TABLE_ID]: 'read-write', [INDEX_TABLE_ID]: 'read-write' },
    produces: [TOPICS.alerts],
    run: (ctx) => ctx.healthTick()(),
  },
  {
    id: 'notify-resend',
    description: 'Sends the active alerts again to each Alertmanager sink, before the endsAt of the last send (functions/notify)',
    periodMs: (cfg) => cfg.alerts.delivery.resendSeconds * 1000,
    tables: { [INDEX_TABLE_ID]: 'read' },
    sinks: ['alertmanager'],
    run: async (ctx) => {
      const sent = await Promise.all(ctx.notifiers().map((n) => n.resendActive()));
      return sent.reduce((a, r) => ({ sent: a.sent + r.sent, failed: a.failed + r.failed }), { sent: 0, failed: 0 });
    },
  },
  {
    id: 'index-metrics',
    description: 'MACs and moves per fabric and active alerts by type, as CloudWatch metrics (locally: /metrics)',
    periodMs: () => 60_000,
    only: 'aws',
    tables: { [INDEX_TABLE_ID]: 'read' },
    run: async (ctx, metrics) => {
      const reader = ctx.indexReader();
      const [{ fabrics }, { alerts }] = await Promise.all([
        listFabrics(
          reader,
          ctx.cfg.fabrics.map((f) => f.name),
        ),
        listAlerts(reader, { active: 'true' }),
      ]);
      for (const f of fabrics) {
        metrics.gauge('IndexMacs', f.macs, { fabric: f.name });
        metrics.gauge('MovesPerMinute', f.movesPerMinute, { fabric: f.name });
      }
      for (const t of ALERT_KINDS) metrics.gauge('ActiveAlerts', alerts.filter((a) => a.type === t).length, { type: t });
      return fabrics.length;
    },
  },
];

/** The schedule's rate on AWS: once a minute (EventBridge's finest), or the task's period when it is longer. */
export function scheduleMinutes(task: ScheduledTask, cfg: Config): number {
  return Math.max(1, Math.floor(task.periodMs(cfg) / 60_000));
}
