/**
 * Lambda entry point of the notifier: one function per alert sink (EVPN_LENS_SINK names it), fed by its own MSK event
 * source mapping on evpn.alerts.v1 (its own consumer group). The sink's URL and secret come from SSM (runtime.ts).
 * With no sink configured there is nothing to deliver: records are taken and dropped.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { NotifyHandler } from '../../../functions/notify/handler.js';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { ConfigError } from '../../config/errors.js';
import { startLambdaRuntime } from './runtime.js';

const rt = await startLambdaRuntime('notify', process.env, { sinks: true });
const notifiers = rt.ctx.notifiers();
const name = process.env.EVPN_LENS_SINK;
let notifier: NotifyHandler | undefined;
if (notifiers.length > 0) {
  notifier = notifiers.find((n) => n.sink.name === name);
  if (!notifier) throw new ConfigError(`EVPN_LENS_SINK: expected one of ${notifiers.map((n) => n.sink.name).join(', ')}, got "${name ?? ''}"`);
}

export const handler: MskHandler = async (event, context) => {
  if (!notifier) return undefined;
  let failedPartitions = 0;
  try {
    const res = await notifier(event, context);
    failedPartitions = res?.batchItemFailures.length ?? 0;
    return res;
  } finally {
    rt.metrics.addMetric('FailedPartitions', MetricUnit.Count, failedPartitions);
    rt.metrics.publishStoredMetrics();
  }
};
