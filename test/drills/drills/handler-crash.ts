/**
 * Drill 2, handler crash: the MAC-index handler throws on a share of its batches (1 %, seeded), before doing anything
 * or after part of its writes would make no difference to the runner: the batch is retried with back-off. No record is
 * skipped and the index equals the undisturbed run's.
 */
import { mulberry32 } from '../../support/rng.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { startDrillStack } from '../support/drill-stack.js';
import { flowWithFault, newResult, settleAndCompare, twoRouterStreams } from '../support/route-flow.js';

export async function handlerCrashDrill(
  o: {
    routes: number;
    failureRate: number;
    batchSize: number;
    eventsPerRecord: number;
    seed: number;
  },
  faults?: DrillFaults,
): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(
    2,
    'handler crash',
    `MAC-index handler throws on ${(o.failureRate * 100).toFixed(0)} % of batches, ${o.routes.toLocaleString('en-US')} routes`,
  );
  const ds = await startDrillStack({
    faults,
    name: 'handler-crash',
    handlerFailureRate: o.failureRate,
    random: mulberry32(o.seed),
    batchSize: o.batchSize,
    maxEventsPerRecord: o.eventsPerRecord,
  });
  try {
    const streams = twoRouterStreams(o.routes);
    const sockets = await flowWithFault(ds, streams, 0, async () => {});
    const drainedAt = await settleAndCompare(ds, r, streams, sockets);
    r.recoverMs = undefined;
    r.figures.batches = String(ds.delivery.batches);
    r.figures.thrown = String(ds.delivery.thrown);
    r.figures.drainedAfter = `${((drainedAt - t0) / 1000).toFixed(0)} s`;
    check(r, ds.delivery.thrown > 0, `the handler threw at least once (${ds.delivery.thrown} of ${ds.delivery.batches} batches)`);
  } finally {
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
