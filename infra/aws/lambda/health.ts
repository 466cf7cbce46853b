/** Lambda entry point of fabric health (MSK event source mapping on sessions, routes, VTEP telemetry and alerts). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { startLambdaRuntime } from './runtime.js';

const rt = await startLambdaRuntime('health');
const health = rt.ctx.health();

export const handler: MskHandler = async (event, context) => {
  const before = { ...health.stats, writes: health.store.writes, retries: rt.ddb.retries, throttled: rt.ddb.throttled };
  let failedPartitions = 0;
  try {
    const res = await health(event, context);
    failedPartitions = res?.batchItemFailures.length ?? 0;
    return res;
  } catch (err) {
    failedPartitions = Object.keys(event.records).length;
    throw err;
  } finally {
    const s = health.stats;
    rt.metrics.addMetric('RecordsIn', MetricUnit.Count, s.records - before.records);
    rt.metrics.addMetric('RouteEvents', MetricUnit.Count, s.routeEvents - before.routeEvents);
    rt.metrics.addMetric('SessionEvents', MetricUnit.Count, s.sessionEvents - before.sessionEvents);
    rt.metrics.addMetric('TelemetrySamples', MetricUnit.Count, s.samples - before.samples);
    rt.metrics.addMetric('RecordsSkipped', MetricUnit.Count, s.skipped - before.skipped);
    rt.metrics.addMetric('FailedPartitions', MetricUnit.Count, failedPartitions);
    rt.metrics.addMetric('DynamoDbWrites', MetricUnit.Count, health.store.writes - before.writes);
    rt.metrics.addMetric('DynamoDbRetries', MetricUnit.Count, rt.ddb.retries - before.retries);
    rt.metrics.addMetric('DynamoDbThrottles', MetricUnit.Count, rt.ddb.throttled - before.throttled);
    rt.metrics.publishStoredMetrics();
  }
};
