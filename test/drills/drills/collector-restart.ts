/**
 * Drill 3, collector restart: a real GoBGP router exports its EVPN table over BMP; the collector is stopped (its
 * in-memory RIB is lost) and, while it is down and the router keeps retrying its BMP session, some hosts are withdrawn
 * and others added. The restarted collector gives the router's new session a later epoch; the router re-sends its
 * table; when the resync completes the index withdraws the router's paths of older epochs: no ghost hosts (withdrawn
 * while down) and no lost hosts.
 */
import { Gobgp } from '../../../infra/lab/gobgp.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { drillRouterId, settled, startDrillStack } from '../support/drill-stack.js';
import { snapshotIndex } from '../support/index-snapshot.js';
import { advertise, labHosts, locationDiffs, withdraw } from '../support/lab-routes.js';
import { newResult } from '../support/route-flow.js';
import { waitUntil } from '../support/wait.js';

const VNI = 10300;

export async function collectorRestartDrill(
  o: {
    hosts: number;
    withdrawnWhileDown: number;
    addedWhileDown: number;
    resyncQuietSeconds: number;
  },
  faults?: DrillFaults,
): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(
    3,
    'collector restart',
    `collector restarted under GoBGP; ${o.withdrawnWhileDown} of ${o.hosts} hosts withdrawn and ${o.addedWhileDown} added while down`,
  );
  const ds = await startDrillStack({ faults, name: 'collector-restart', resyncQuietSeconds: o.resyncQuietSeconds });
  const prefix = '02:d3:00:00';
  const all = labHosts(o.hosts + o.addedWhileDown, { macPrefix: prefix, vtepPrefix: '10.73.0', vni: VNI });
  const first = all.slice(0, o.hosts);
  const gone = first.slice(0, o.withdrawnWhileDown);
  const added = all.slice(o.hosts);
  const router = new Gobgp({
    name: 'drill3',
    address: '127.0.7.31',
    routerId: drillRouterId(3, 1),
    asn: 65000,
    apiHost: '127.0.7.31',
    apiPort: 50051,
    bmp: { host: '127.0.0.1', port: ds.bmpPort },
  });
  try {
    await router.start();
    await advertise(router, first);
    const snapshot = () => snapshotIndex(ds.stack.apiUrl, [VNI]);
    let firstMissing: string[] = [];
    await waitUntil(
      async () => (firstMissing = locationDiffs(await snapshot(), first, prefix).missing).length === 0 || (await settled(ds, first.length)),
      'the first table indexed',
      120_000,
      250,
    ).catch(() => undefined);
    firstMissing = locationDiffs(await snapshot(), first, prefix).missing; // read again: the last probe's read may predate the last write
    // A host lost before the restart would be healed by the resync: checked here, or the drill could not see it.
    check(r, firstMissing.length === 0, `the first table indexed before the restart (lost: ${firstMissing.slice(0, 5).join(', ')})`);
    const epochsBefore = ds.delivery.distinct.size;
    let upAt = 0;
    await ds.stack.faults.restartCollector(async () => {
      await withdraw(router, gone);
      await advertise(router, added);
    });
    upAt = Date.now();
    const expected = [...first.slice(o.withdrawnWhileDown), ...added];
    let last = { missing: [] as string[], ghosts: [] as string[], misplaced: [] as string[] };
    await waitUntil(
      async () => {
        last = locationDiffs(await snapshot(), expected, prefix);
        return last.missing.length + last.ghosts.length + last.misplaced.length === 0;
      },
      'the index to match the router after the resync',
      180_000,
      250,
    ).catch(() => undefined);
    r.recoverMs = Date.now() - upAt;
    r.indexDiffs = last.missing.length + last.ghosts.length + last.misplaced.length;
    r.figures.ghosts = String(last.ghosts.length);
    r.figures.lost = String(last.missing.length);
    r.figures.resyncWithdrawn = String(ds.stack.fns.macIndex().stats.resyncWithdrawn);
    r.eventsIn = ds.delivery.distinct.size;
    r.eventsOut = ds.delivery.delivered;
    r.duplicates = ds.delivery.delivered - ds.delivery.distinct.size;
    r.figures.eventsAfterRestart = String(ds.delivery.distinct.size - epochsBefore);
    check(
      r,
      r.indexDiffs === 0,
      `no ghost and no lost hosts after the resync (ghosts ${last.ghosts.slice(0, 3)}, lost ${last.missing.slice(0, 3)}, misplaced ${last.misplaced.slice(0, 3)})`,
    );
    check(
      r,
      ds.stack.fns.macIndex().stats.resyncWithdrawn >= gone.length,
      `the resync withdrew the ${gone.length} hosts withdrawn while the collector was down`,
    );
  } finally {
    await router.dispose();
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
