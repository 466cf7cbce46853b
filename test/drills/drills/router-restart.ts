/**
 * Drill 4, router restart: a real FRR bgpd exports over BMP the EVPN routes it learns from a GoBGP leaf. FRR is killed
 * (SIGKILL) and its BMP session left half-open (a relay keeps the station's side open, as after a reboot whose FIN never
 * came); while it is down the leaf withdraws some hosts. FRR restarts, relearns the leaf's table and reconnects: the
 * station's new session takes the half-open one over, the router's held routes go stale, and those not re-sent are
 * swept after the resync. The index then holds exactly the leaf's hosts.
 */
import { FrrBgpd } from '../../../infra/lab/frr.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import type { DrillFaults } from '../support/drill-faults.js';
import { check, type DrillResult } from '../support/drill-result.js';
import { drillRouterId, settled, startDrillStack } from '../support/drill-stack.js';
import { startHalfOpenProxy } from '../support/half-open-proxy.js';
import { snapshotIndex } from '../support/index-snapshot.js';
import { advertise, labHosts, locationDiffs, withdraw } from '../support/lab-routes.js';
import { newResult } from '../support/route-flow.js';
import { waitUntil } from '../support/wait.js';

const VNI = 10400;

export async function routerRestartDrill(
  o: { hosts: number; withdrawnWhileDown: number; resyncQuietSeconds: number },
  faults?: DrillFaults,
): Promise<DrillResult> {
  const t0 = Date.now();
  const r = newResult(4, 'router restart', `FRR killed (BMP session half-open) and restarted; ${o.withdrawnWhileDown} of ${o.hosts} hosts withdrawn meanwhile`);
  const ds = await startDrillStack({ faults, name: 'router-restart', resyncQuietSeconds: o.resyncQuietSeconds });
  const prefix = '02:d4:00:00';
  const hosts = labHosts(o.hosts, { macPrefix: prefix, vtepPrefix: '10.74.0', vni: VNI });
  const gone = hosts.slice(0, o.withdrawnWhileDown);
  const proxy = await startHalfOpenProxy({ listenHost: '127.0.7.40', station: { host: '127.0.0.1', port: ds.bmpPort }, sourceAddress: '127.0.7.41' });
  const leaf = new Gobgp({
    name: 'drill4-leaf',
    address: '127.0.7.42',
    routerId: '10.74.255.42',
    asn: 65000,
    apiHost: '127.0.7.42',
    apiPort: 50051,
    neighbors: [{ address: '127.0.7.41', asn: 65000 }],
  });
  const frr = new FrrBgpd({
    hostname: 'drill4-frr',
    address: '127.0.7.41',
    routerId: drillRouterId(4, 1),
    asn: 65000,
    neighbors: [{ address: '127.0.7.42', asn: 65000 }],
    bmp: { host: '127.0.7.40', port: proxy.port },
  });
  try {
    await leaf.start();
    frr.start();
    await leaf.waitEstablished('127.0.7.41', 60_000);
    await advertise(leaf, hosts);
    const diffs = async (want: typeof hosts) => locationDiffs(await snapshotIndex(ds.stack.apiUrl, [VNI]), want, prefix);
    let firstMissing: string[] = [];
    await waitUntil(
      async () => (firstMissing = (await diffs(hosts)).missing).length === 0 || (await settled(ds, hosts.length)),
      'the leaf table indexed through FRR',
      120_000,
      250,
    ).catch(() => undefined);
    firstMissing = (await diffs(hosts)).missing; // read again: the last probe's read may predate the last write
    // A host lost before the restart would be healed when FRR re-sends its table: checked here, or the drill could not see it.
    check(r, firstMissing.length === 0, `the leaf table indexed before the restart (lost: ${firstMissing.slice(0, 5).join(', ')})`);
    // The router dies without a FIN reaching the station.
    process.kill(frr.pid!, 'SIGKILL');
    await waitUntil(() => proxy.halfOpen() > 0, 'the station side left half-open', 10_000, 20);
    await withdraw(leaf, gone);
    const restartedAt = Date.now();
    await frr.stop();
    frr.start();
    const expected = hosts.slice(o.withdrawnWhileDown);
    let last = { missing: [] as string[], ghosts: [] as string[], misplaced: [] as string[] };
    await waitUntil(
      async () => {
        last = await diffs(expected);
        return last.missing.length + last.ghosts.length + last.misplaced.length === 0;
      },
      'the index to match the leaf after the router restart',
      180_000,
      250,
    ).catch(() => undefined);
    r.recoverMs = Date.now() - restartedAt;
    r.indexDiffs = last.missing.length + last.ghosts.length + last.misplaced.length;
    r.figures.halfOpenSessions = String(proxy.halfOpen());
    r.figures.takeovers = (await ds.stack.collector.registry.getSingleMetricAsString('evpnlens_bmp_session_takeovers_total')).match(/ (\d+)$/m)?.[1] ?? '0';
    r.figures.ghosts = String(last.ghosts.length);
    r.figures.lost = String(last.missing.length);
    r.eventsIn = ds.delivery.distinct.size;
    r.eventsOut = ds.delivery.delivered;
    r.duplicates = ds.delivery.delivered - ds.delivery.distinct.size;
    check(r, r.indexDiffs === 0, `stale routes swept, nothing lost (ghosts ${last.ghosts.slice(0, 3)}, lost ${last.missing.slice(0, 3)})`);
    check(r, r.figures.takeovers !== '0', 'the new session took the half-open one over');
  } finally {
    await frr.dispose();
    await leaf.dispose();
    await proxy.close();
    await ds.stop();
    r.durationMs = Date.now() - t0;
  }
  return r;
}
