/**
 * Drill 5, store outage: the stack's store (the embedded one by default; dynalite or DynamoDB when configured) refuses
 * every operation for a while (the stack's fault hook; nothing undoes it) while routes flow. The event-source runner
 * backs off, lag grows, /readyz says the store is unavailable; when the store is back the lag drains with nothing lost,
 * and every MAC is where the routes sent put it.
 */
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { type DrillStack, startDrillStack } from '../support/drill-stack.js';
import { flowWithFault, newResult, settleAndCompare, twoRouterStreams } from '../support/route-flow.js';
import { sleep } from '../support/wait.js';

/**
 * The MAC index's lag (its mappings, one per topic: infra/catalog/consumers.ts), the largest of the samples begun before
 * `until` (the store back); one sample at a time, as lag() queries the broker.
 */
async function sampleIndexLag(ds: DrillStack, until: number): Promise<number> {
  let max = 0;
  while (Date.now() < until) {
    const lag = await ds.stack.runner.lag().catch(() => ({}) as Record<string, number>);
    max = Math.max(
      max,
      Object.entries(lag).reduce((n, [m, x]) => (m.startsWith('mac-index.') ? n + x : n), 0),
    );
    await sleep(200);
  }
  return max;
}

export async function storeOutageDrill(o: { routes: number; outageMs: number }, faults?: DrillFaults): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(
    5,
    'store outage',
    `store (embedded by default) unavailable ${(o.outageMs / 1000).toFixed(0)} s while ${o.routes.toLocaleString('en-US')} routes flow`,
  );
  const ds = await startDrillStack({ faults, name: 'store-outage' });
  try {
    const streams = twoRouterStreams(o.routes);
    let downAt = 0;
    let sampling: Promise<number> = Promise.resolve(0);
    const sockets = await flowWithFault(ds, streams, 1 / 4, async () => {
      downAt = Date.now();
      await ds.stack.faults.storeOutage!(o.outageMs);
      // Lag while the store is down, sampled beside the rest of the flow from the moment it goes down: sampled only
      // after the writes and the /readyz probe, a loaded CI machine left no time inside the outage (max 0, 9 failed
      // batches, in one CI run).
      sampling = sampleIndexLag(ds, downAt + o.outageMs);
      const ready = await fetch(`${ds.stack.apiUrl}/readyz`);
      const detail = ((await ready.json()) as { detail?: string }).detail ?? '';
      r.figures.readyzWhileDown = `${ready.status} "${detail.slice(0, 60)}"`;
      check(r, ready.status === 503 && /store (unreachable|unavailable)/.test(detail), `/readyz says the store is unreachable (got ${ready.status} ${detail})`);
    });
    const maxLag = await sampling;
    r.figures.maxLag = `${maxLag.toLocaleString('en-US')} records`;
    check(r, maxLag > 0, `lag grew while the store was down (max ${maxLag})`);
    r.figures.failedBatches = String(Object.entries(ds.stack.runner.stats()).reduce((n, [m, x]) => (m.startsWith('mac-index.') ? n + x.failures : n), 0));
    const drainedAt = await settleAndCompare(ds, r, streams, sockets);
    r.recoverMs = drainedAt - (downAt + o.outageMs);
    const ready = await fetch(`${ds.stack.apiUrl}/readyz`);
    check(r, ready.status === 200, `/readyz ready again after the outage (got ${ready.status})`);
  } finally {
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
