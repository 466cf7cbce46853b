/**
 * Drill 1, broker crash: the embedded Kafka broker is killed (SIGKILL) while routes flow from two routers. The stack's
 * supervisor restarts it; /readyz names it while it is down; the collector's producer and the event-source consumers
 * resume. Afterwards every route event the collector published reached the MAC index (duplicates counted), and the
 * index equals the undisturbed run's.
 */
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { startDrillStack } from '../support/drill-stack.js';
import { flowWithFault, newResult, settleAndCompare, twoRouterStreams } from '../support/route-flow.js';
import { sleep, waitUntil } from '../support/wait.js';

export async function brokerCrashDrill(o: { routes: number }, faults?: DrillFaults): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(1, 'broker crash', `SIGKILL of the broker while ${o.routes.toLocaleString('en-US')} routes flow`);
  const ds = await startDrillStack({ faults, name: 'broker-crash' });
  try {
    const streams = twoRouterStreams(o.routes);
    let killedAt = 0;
    const sockets = await flowWithFault(ds, streams, 1 / 3, async () => {
      await sleep(300);
      killedAt = Date.now();
      process.kill(ds.stack.broker!.current().pid!, 'SIGKILL');
      await waitUntil(() => ds.stack.broker!.status().state === 'down', 'the supervisor to see the broker down', 10_000, 20);
      const ready = await fetch(`${ds.stack.apiUrl}/readyz`);
      const detail = ((await ready.json()) as { detail?: string }).detail ?? '';
      r.figures.readyzWhileDown = `${ready.status} "${detail}"`;
      check(
        r,
        ready.status === 503 && /kafka broker down, restarting \(attempt \d+\)/.test(detail),
        `/readyz names the broker while it is down (got ${ready.status} ${detail})`,
      );
    });
    await ds.stack.broker!.whenUp();
    r.figures.brokerBackAfter = `${((Date.now() - killedAt) / 1000).toFixed(1)} s`;
    r.figures.restarts = String(ds.stack.broker!.status().restarts);
    const drainedAt = await settleAndCompare(ds, r, streams, sockets);
    r.recoverMs = drainedAt - killedAt;
    const ready = await fetch(`${ds.stack.apiUrl}/readyz`);
    check(r, ready.status === 200, `/readyz ready again after the recovery (got ${ready.status})`);
  } finally {
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
