/**
 * Fabric health's MAC cross-check, like with like: the remote MACs a device holds in a VNI (learned by EVPN: SR
 * Linux's vxlan-interface bridge-table, or its per-VTEP destinations summed) against the MACs the other VTEPs advertise
 * in that VNI (MAC-only type-2 routes, RFC 7432 §7.2). OpenConfig's mac-table count (local and remote together, per
 * network instance) is not like either and is not compared. Pure: the view's items in, the figures and disagreements
 * out.
 */
import type { DeviceItem, VtepRouteItem } from '../../../schemas/tables/index.js';
import type { CrossCheckView, ViewOptions, VniMacCounts } from './fabric-view.js';
import { entryStale } from './freshness.js';

const iso = (ms: number) => new Date(ms).toISOString();
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export function compareMacCounts(
  devices: DeviceItem[],
  vtepItems: VtepRouteItem[],
  isFresh: (d: DeviceItem) => boolean,
  o: Pick<ViewOptions, 'staleAfterIntervals' | 'rules'>,
  nowMs: number,
): { counts: Map<number, VniMacCounts>; disagreements: CrossCheckView[] } {
  const crossCheck: CrossCheckView[] = [];
  const macCounts = new Map<number, VniMacCounts>();
  const countsOf = (n: number) => {
    let c = macCounts.get(n);
    if (!c) macCounts.set(n, (c = { advertised: {}, remote: {} }));
    return c;
  };
  // A next hop counts as a VTEP of the VNI only when it originates the VNI's type-3 route (RFC 7432 §7.3: its address is
  // in the NLRI): a next hop rewritten on the way (eBGP without next-hop-unchanged) names no VTEP and is not counted.
  for (const v of vtepItems)
    for (const [k, n] of Object.entries(v)) {
      if (!k.startsWith('m:') || typeof n !== 'number' || n <= 0) continue;
      const vni = Number(k.slice(2));
      if (Number(v[`v:${vni}`] ?? 0) > 0) countsOf(vni).advertised[v.vtep] = n;
    }
  const remoteSince = new Map<string, number>();
  for (const d of devices) {
    if (!isFresh(d)) continue;
    const total = new Map<number, { n: number; sinceMs: number }>();
    const perPeer = new Map<number, { n: number; sinceMs: number }>();
    for (const [k, e] of Object.entries(d.macs ?? {})) {
      if (entryStale({ state: 'UP', ord: e.ord, sinceMs: e.sinceMs, seenMs: e.seenMs, refreshMs: e.refreshMs }, o.staleAfterIntervals, nowMs)) continue;
      const bar = k.lastIndexOf('|');
      const vni = Number(k.slice(bar + 1));
      const into = k.slice(0, bar) ? perPeer : total;
      const cur = into.get(vni) ?? { n: 0, sinceMs: 0 };
      into.set(vni, { n: cur.n + e.n, sinceMs: Math.max(cur.sinceMs, e.sinceMs) });
    }
    for (const [vni, c] of [...perPeer, ...total]) {
      countsOf(vni).remote[d.device] = c.n;
      remoteSince.set(`${d.device}|${vni}`, c.sinceMs);
    }
  }
  const holdMs = o.rules.macCountHoldSeconds * 1000;
  for (const d of devices) {
    for (const [n, c] of [...macCounts].sort(([a], [b]) => a - b)) {
      const held = c.remote[d.device];
      if (held === undefined || !d.vtep) continue;
      const others = Object.entries(c.advertised).filter(([vtep]) => vtep !== d.vtep);
      const advertised = sum(others.map(([, x]) => x));
      const larger = Math.max(held, advertised);
      if (larger === 0 || (100 * Math.abs(held - advertised)) / larger <= o.rules.macCountTolerancePercent) continue;
      const lastChange = Math.max(
        remoteSince.get(`${d.device}|${n}`) ?? 0,
        ...others.map(([vtep]) => Number(vtepItems.find((v) => v.vtep === vtep)?.lastChangeMs ?? 0)),
      );
      if (nowMs - lastChange < holdMs) continue;
      const detail =
        held < advertised
          ? `${d.device} holds ${Math.round((100 * (advertised - held)) / advertised)} % fewer remote MACs than its peers advertise in VNI ${n} (${held} against ${advertised})`
          : advertised === 0
            ? `${d.device} holds ${held} remote MACs in VNI ${n} but its peers advertise none`
            : `${d.device} holds ${Math.round((100 * (held - advertised)) / advertised)} % more remote MACs than its peers advertise in VNI ${n} (${held} against ${advertised})`;
      crossCheck.push({
        kind: 'macs',
        device: d.device,
        vtep: d.vtep,
        vni: n,
        peer: '',
        detail,
        since: iso(lastChange),
        deviceMacs: held,
        advertisedMacs: advertised,
      });
    }
  }

  return { counts: macCounts, disagreements: crossCheck };
}
