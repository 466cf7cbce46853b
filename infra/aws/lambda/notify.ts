/**
 * Lambda entry point of the notifier: one function per alert sink (EVPN_LENS_SINK names it), fed by its own MSK event
 * source mapping on evpn.alerts.v1 (its own consumer group). The sink's URL and secret come from SSM (runtime.ts),
 * that sink's only. With no sink configured there is nothing to deliver: records are taken and dropped.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { NotifyHandler } from '../../../functions/notify/handler.js';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { ConfigError } from '../../config/errors.js';
import { SINK_ENV } from '../../config/sinks.js';
import { startLambdaRuntime } from './runtime.js';

const name = process.env[SINK_ENV];
// The service dimension names the sink: each function's FailedPartitions (its stuck alarm) is its own.
const rt = await startLambdaRuntime(name ? `notify-${name}` : 'notify', process.env, { sinks: true });
// EVPN_LENS_SINK selected its sink (an unknown name stopped the start above); unset, it must be given once there are sinks.
const notifiers = rt.ctx.notifiers();
if (!name && notifiers.length > 0) throw new ConfigError(`${SINK_ENV}: expected one of ${notifiers.map((n) => n.sink.name).join(', ')}, got ""`);
const notifier: NotifyHandler | undefined = notifiers[0];

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
