/** Lambda entry point of the route index (MSK event source mappings on evpn.routes.v1 and evpn.sessions.v1). */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { startLambdaRuntime } from './runtime.js';

const rt = await startLambdaRuntime('route-index');
const routeIndex = rt.ctx.routeIndex();

export const handler: MskHandler = async (event, context) => {
  const before = { ...routeIndex.stats, writes: routeIndex.store.writes };
  let failedPartitions = 0;
  try {
    const res = await routeIndex(event, context);
    failedPartitions = res?.batchItemFailures.length ?? 0;
    return res;
  } catch (err) {
    failedPartitions = Object.keys(event.records).length;
    throw err;
  } finally {
    const s = routeIndex.stats;
    rt.metrics.addMetric('RecordsIn', MetricUnit.Count, s.events - before.events);
    rt.metrics.addMetric('RouteItemsWritten', MetricUnit.Count, s.applied - before.applied);
    rt.metrics.addMetric('RecordsSkipped', MetricUnit.Count, s.skipped - before.skipped);
    rt.metrics.addMetric('VersionConflicts', MetricUnit.Count, s.conflicts - before.conflicts);
    rt.metrics.addMetric('FailedPartitions', MetricUnit.Count, failedPartitions);
    rt.metrics.addMetric('DynamoDbWrites', MetricUnit.Count, routeIndex.store.writes - before.writes);
    rt.metrics.publishStoredMetrics();
  }
};
