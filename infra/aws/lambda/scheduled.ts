/**
 * Lambda entry point of the periodic tasks (infra/catalog/schedules.ts), invoked by EventBridge Scheduler. One bundle
 * for all of them; each task is its own function (its own role and alarms), chosen by EVPN_LENS_TASK. A task that
 * delivers to sinks runs as one function per sink (EVPN_LENS_SINK), which resolves that sink only (runtime.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { SCHEDULES, scheduleMinutes } from '../../catalog/schedules.js';
import { ConfigError } from '../../config/errors.js';
import { startLambdaRuntime } from './runtime.js';

const task = SCHEDULES.find((t) => t.id === process.env.EVPN_LENS_TASK);
if (!task) throw new ConfigError(`EVPN_LENS_TASK: expected one of ${SCHEDULES.map((t) => t.id).join(', ')}, got "${process.env.EVPN_LENS_TASK ?? ''}"`);
const rt = await startLambdaRuntime(`task-${task.id}`, process.env, { sinks: task.sinks !== undefined });

const periodMs = task.periodMs(rt.ctx.cfg);
const invocationMs = scheduleMinutes(task, rt.ctx.cfg) * 60_000;

/** Runs the task, and again every period until the schedule's next invocation is due (sub-minute periods). */
export const handler = async (): Promise<{ task: string; runs: number; results: unknown[] }> => {
  const started = Date.now();
  const results: unknown[] = [];
  for (;;) {
    results.push(await task.run(rt.ctx, rt.sink));
    const next = started + results.length * periodMs;
    if (next - started >= invocationMs) break;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  rt.metrics.addMetric('TaskRuns', MetricUnit.Count, results.length);
  rt.metrics.publishStoredMetrics();
  return { task: task.id, runs: results.length, results };
};
