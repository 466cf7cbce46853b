/** Lambda entry point of the MAC index (MSK event source mapping on evpn.routes.v1). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { startLambdaRuntime } from './runtime.js';

const rt = await startLambdaRuntime('mac-index');
const macIndex = rt.ctx.macIndex();

export const handler: MskHandler = async (event, context) => {
  const before = { ...macIndex.stats, writes: macIndex.store.writes, retries: rt.ddb.retries, throttled: rt.ddb.throttled };
  let failedPartitions = 0;
  try {
    const res = await macIndex(event, context);
    failedPartitions = res?.batchItemFailures.length ?? 0;
    return res;
  } catch (err) {
    failedPartitions = Object.keys(event.records).length;
    throw err;
  } finally {
    const s = macIndex.stats;
    rt.metrics.addMetric('RecordsIn', MetricUnit.Count, s.events - before.events);
    rt.metrics.addMetric('RouteEvents', MetricUnit.Count, s.routeEvents - before.routeEvents);
    rt.metrics.addMetric('RecordsSkipped', MetricUnit.Count, s.skipped - before.skipped);
    rt.metrics.addMetric('VersionConflicts', MetricUnit.Count, s.conflicts - before.conflicts);
    rt.metrics.addMetric('FailedPartitions', MetricUnit.Count, failedPartitions);
    rt.metrics.addMetric('DynamoDbWrites', MetricUnit.Count, macIndex.store.writes - before.writes);
    rt.metrics.addMetric('DynamoDbRetries', MetricUnit.Count, rt.ddb.retries - before.retries);
    rt.metrics.addMetric('DynamoDbThrottles', MetricUnit.Count, rt.ddb.throttled - before.throttled);
    rt.metrics.publishStoredMetrics();
  }
};
