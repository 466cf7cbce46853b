/**
 * A fabric's health view, computed from what the health function stored (pure: the same items give the same view).
 * Shared by the health function (to evaluate the status rules) and the API (to answer /v1/fabrics/{name}/health).
 */
import {
  type DeviceItem,
  type DeviceMinuteRates,
  type FabricStatus,
  type FabricStatusItem,
  HEALTH_SK,
  type HealthMinuteItem,
  type MacAlertRefItem,
  minuteMs,
  minuteOf,
  type RouteCountItem,
  type RouterItem,
  type SessionItem,
  type VtepRouteItem,
} from '../../../schemas/tables/index.js';
import { deviceFreshness, entryStale } from './freshness.js';
import { compareMacCounts } from './mac-cross-check.js';
import { evaluateStatus, type StatusRules } from './status-rules.js';

export type RateFigures = Omit<DeviceMinuteRates, 'vtep' | 'resets' | 'wraps'>;
export type VtepState = 'up' | 'down' | 'stale' | 'missing';

export interface VtepView {
  vtep: string;
  state: VtepState;
  expected: boolean;
  /** How it is known: 'bgp' (routes name it), 'gnmi' (a device reports for it). */
  sources: string[];
  vnis: number[];
  lastSeen: string | null;
  device: string | null;
  /** Live routes with it as next hop, and inclusive-multicast (type 3) routes it originated. */
  routes: number;
  imet: number;
  /** VXLAN rates of its latest minute with any (per second), null without gNMI counters. */
  rates: (RateFigures & { minute: string; resets: number; wraps: number }) | null;
}

export interface SessionDownView {
  router: string;
  sysName: string;
  peer: string;
  peerAsn: number;
  /** down: the router reports it down; unknown: the router's BMP session is lost, so its sessions are unknown. */
  state: 'down' | 'unknown';
  reason: string;
  since: string;
}

/**
 * A remote VTEP peer or a VNI that a device (fresh over gNMI) reports not up, or deleted, or whose state leaf stopped
 * coming (stale: not refreshed within `staleAfterIntervals` of its set's interval; kept with its last state, never
 * deleted: only the device's own delete says it is gone).
 */
export interface TunnelView {
  device: string;
  /** the device's own VTEP address, when known */
  vtep: string;
  kind: 'peer' | 'vni';
  /** the peer's address, or the VNI */
  key: string;
  endpoint: string;
  /** DOWN (or another state the device sends), or DELETED; for a stale one its last state */
  state: string;
  since: string;
  stale: boolean;
  /** when its state was last refreshed (null: its set promised no refresh) */
  lastSeen: string | null;
}

/**
 * A disagreement between the control plane and the data plane. `tunnel`: a VTEP advertises a VNI in a type-3 (IMET)
 * route, a device serving that VNI (its own IMET route, or its gNMI vni-state UP) reports its peers over gNMI, and none
 * of them is that VTEP UP. `macs`: the remote MACs a device holds in a VNI (gNMI) differ, beyond the tolerance, from
 * the MACs the other VTEPs advertise in it (MAC-only type-2 routes); `peer` is "" then.
 */
export interface CrossCheckView {
  kind: 'tunnel' | 'macs';
  device: string;
  /** the device's own VTEP */
  vtep: string;
  vni: number;
  /** the VTEP that advertises the VNI */
  peer: string;
  detail: string;
  /** since when the two have disagreed, as far as the items tell: the later of the route change and the peer's state change */
  since: string;
  /** macs: the device's remote MACs in the VNI, and the other VTEPs' advertised MACs */
  deviceMacs?: number;
  advertisedMacs?: number;
}

/** MACs in a VNI as each side sees them: advertised per VTEP (BMP type-2), held as remote MACs per device (gNMI). */
export interface VniMacCounts {
  /** MAC-only type-2 routes per next-hop VTEP */
  advertised: Record<string, number>;
  /** the remote MACs each device reports in the VNI over gNMI (per-peer counts summed when it gives no VNI total) */
  remote: Record<string, number>;
}

export interface FreshnessSource {
  kind: 'bmp' | 'gnmi';
  name: string;
  state: 'fresh' | 'stale';
  lastSeen: string | null;
  detail: string;
}

export interface FabricHealthView {
  fabric: string;
  status: FabricStatus;
  reasons: string[];
  updatedAt: string | null;
  routers: { router: string; address: string; bgpId: string; sysName: string; connected: boolean; since: string; detail: string }[];
  sessions: { up: number; total: number; down: SessionDownView[] };
  vteps: VtepView[];
  /** macs: the MAC index's figure; macCounts: the two planes' per-VTEP and per-device figures (absent when neither has any) */
  vnis: { vni: number; vteps: string[]; macs: number; macCounts?: VniMacCounts }[];
  macs: number;
  routesByType: Record<string, number>;
  churnPerMinute: number;
  movesPerMinute: number;
  flapping: { mac: string; vni: number; since: string; moveCount: number; detail: string }[];
  freshness: { stale: number; sources: FreshnessSource[] };
  /** Peers and VNIs the fabric's devices report down or deleted over gNMI (devices whose stream is fresh). */
  tunnels: TunnelView[];
  /** Peers and VNIs (of fresh devices) whose state was not refreshed within staleAfterIntervals of its set's interval. */
  staleLeaves: TunnelView[];
  /** Control plane (BMP type-3 routes) against data plane (gNMI peers): what the two disagree on. */
  crossCheck: CrossCheckView[];
}

/** What the view is made of: the fabric's items in the health table, its recent minutes, and the MAC index's figures. */
export interface FabricSnapshot {
  fabric: string;
  items: Record<string, unknown>[];
  minutes: HealthMinuteItem[];
  macs: number;
  macsPerVni: Record<string, number>;
  movesByMinute: Record<string, number>;
}

export interface ViewOptions {
  expectedVteps: string[];
  gnmiIntervalSeconds: number;
  staleAfterIntervals: number;
  /** A gNMI device silent longer than this is left out of the view (default 1 hour). */
  gnmiRetentionMs?: number;
  rules: StatusRules;
}

const iso = (ms: number) => new Date(ms).toISOString();
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export const DEFAULT_GNMI_RETENTION_MS = 3_600_000;

/** A peer or VNI a device deleted is shown (and a reason) this long. */
const DELETED_SHOWN_MS = 3_600_000;

/** Recent per-minute figures are averaged over this many complete minutes. */
export const RECENT_MINUTES = 5;

export function buildFabricView(snap: FabricSnapshot, o: ViewOptions, nowMs: number): FabricHealthView {
  const bySk = (prefix: string) => snap.items.filter((i) => String(i.sk).startsWith(prefix));
  const status = snap.items.find((i) => i.sk === HEALTH_SK.status) as FabricStatusItem | undefined;
  const routerItems = (bySk(HEALTH_SK.router) as unknown as RouterItem[]).sort((a, b) => a.router.localeCompare(b.router));
  const sessionItems = (bySk(HEALTH_SK.session) as unknown as SessionItem[]).sort((a, b) => `${a.router}${a.peer}`.localeCompare(`${b.router}${b.peer}`));
  const counts = bySk(HEALTH_SK.count) as unknown as RouteCountItem[];
  const vtepItems = bySk(HEALTH_SK.vtep) as unknown as VtepRouteItem[];
  // A gNMI device silent beyond the retention is gone (removed from the configuration, decommissioned): it no longer
  // keeps the fabric degraded as a stale source.
  const retentionMs = o.gnmiRetentionMs ?? DEFAULT_GNMI_RETENTION_MS;
  const devices = (bySk(HEALTH_SK.device) as unknown as DeviceItem[])
    .filter((d) => !(d.lastRxMs > 0 && nowMs - d.lastRxMs > retentionMs))
    .sort((a, b) => a.device.localeCompare(b.device));
  const macAlerts = bySk(HEALTH_SK.macAlert) as unknown as MacAlertRefItem[];

  const routers = routerItems.map((r) => ({
    router: r.router,
    address: r.address,
    bgpId: r.bgpId,
    sysName: r.sysName,
    connected: r.connected,
    since: r.since,
    detail: r.detail,
  }));
  const connected = new Map(routerItems.map((r) => [r.router, r]));

  // Sessions: up only when the reporting router is still connected; a lost router's sessions are unknown.
  const down: SessionDownView[] = [];
  let up = 0;
  for (const s of sessionItems) {
    const r = connected.get(s.router);
    if (r && !r.connected) {
      down.push({
        router: s.router,
        sysName: r.sysName,
        peer: s.peer,
        peerAsn: s.peerAsn,
        state: 'unknown',
        reason: `BMP session lost: ${r.detail}`,
        since: r.since,
      });
    } else if (s.up) up++;
    else down.push({ router: s.router, sysName: r?.sysName ?? '', peer: s.peer, peerAsn: s.peerAsn, state: 'down', reason: s.reason, since: s.since });
  }

  const routesByType: Record<string, number> = {};
  for (const c of counts)
    for (const [k, v] of Object.entries(c)) if (/^t\d+$/.test(k) && typeof v === 'number') routesByType[k.slice(1)] = (routesByType[k.slice(1)] ?? 0) + v;
  for (const [k, v] of Object.entries(routesByType)) if (v === 0) delete routesByType[k];

  // gNMI freshness, per target from its own subscription sets: fresh while any refresh interval its samples promised
  // (DeviceItem.refresh) was kept within `staleAfterIntervals` of that interval; a device whose samples promised none
  // (older collectors, ON_CHANGE sets without heartbeat) by the configured `gnmiIntervalSeconds`. Stale too while its
  // stream is down.
  const deviceFresh = new Map<string, { fresh: boolean; detail: string }>();
  for (const d of devices) {
    deviceFresh.set(d.device, deviceFreshness(d, o, nowMs));
  }

  // Latest rates per device: its latest minute with rates, never one beyond the next minute (a minute ahead of the
  // clock can only come from a device clock ahead; it would pin stale rates until the clock caught up).
  const horizon = minuteOf(nowMs + 60_000);
  const minutes = [...snap.minutes].filter((m) => m.sk <= horizon).sort((a, b) => (a.sk < b.sk ? 1 : -1));
  const latestRates = new Map<string, VtepView['rates']>();
  for (const d of devices) {
    for (const m of minutes) {
      const r = m[`d:${d.device}`] as DeviceMinuteRates | undefined;
      if (!r || (r.encapPps === null && r.decapPps === null && r.dropsPps === null)) continue;
      const { vtep: _v, ...figures } = r;
      latestRates.set(d.device, { ...figures, minute: m.sk });
      break;
    }
  }

  const vtepIps = new Set<string>([...o.expectedVteps, ...devices.map((d) => d.vtep).filter(Boolean)]);
  for (const v of vtepItems) if ((v.nh ?? 0) + (v.imet ?? 0) > 0) vtepIps.add(v.vtep);
  const vteps: VtepView[] = [];
  // By address, not by a search per VTEP: a fabric's view has as many VTEPs as items (thousands in a large fabric).
  const vtepItemOf = new Map(vtepItems.map((v) => [v.vtep, v]));
  const devicesOf = new Map<string, DeviceItem[]>();
  for (const d of devices) devicesOf.set(d.vtep, [...(devicesOf.get(d.vtep) ?? []), d]);
  for (const ip of sortIps([...vtepIps])) {
    const item = vtepItemOf.get(ip);
    const routes = item?.nh ?? 0;
    const imet = item?.imet ?? 0;
    const vnis = item
      ? Object.entries(item)
          .filter(([k, v]) => k.startsWith('v:') && typeof v === 'number' && v > 0)
          .map(([k]) => Number(k.slice(2)))
          .sort((a, b) => a - b)
      : [];
    const devs = devicesOf.get(ip) ?? [];
    const dev = devs[0];
    const bgp = routes + imet > 0;
    const gnmiFresh = devs.some((d) => deviceFresh.get(d.device)?.fresh);
    const gnmiDown = devs.some((d) => d.vtepState === 'DOWN' || d.vtepAdminState === 'DOWN');
    const state: VtepState = gnmiDown ? 'down' : bgp || gnmiFresh ? 'up' : devs.length ? 'stale' : 'missing';
    const lastSeenMs = Math.max(...devs.map((d) => d.lastRxMs), Number(item?.lastChangeMs ?? 0));
    vteps.push({
      vtep: ip,
      state,
      expected: o.expectedVteps.includes(ip),
      sources: [...(bgp ? ['bgp'] : []), ...(devs.length ? ['gnmi'] : [])],
      vnis,
      lastSeen: lastSeenMs > 0 ? iso(lastSeenMs) : null,
      device: dev?.device ?? null,
      routes,
      imet,
      rates: dev ? (latestRates.get(dev.device) ?? null) : null,
    });
  }

  const vniMap = new Map<number, string[]>();
  for (const v of vteps)
    for (const n of v.vnis) {
      const list = vniMap.get(n);
      if (list) list.push(v.vtep);
      else vniMap.set(n, [v.vtep]);
    }
  for (const k of Object.keys(snap.macsPerVni)) if (!vniMap.has(Number(k))) vniMap.set(Number(k), []);
  const vnis: FabricHealthView['vnis'] = [...vniMap]
    .sort(([a], [b]) => a - b)
    .map(([vni, list]) => ({ vni, vteps: list, macs: snap.macsPerVni[String(vni)] ?? 0 }));

  // Per-minute figures: the average of the last complete minutes.
  const nowMinute = minuteOf(nowMs);
  const recent = new Set(Array.from({ length: RECENT_MINUTES }, (_, i) => minuteOf(minuteMs(nowMinute) - (i + 1) * 60_000)));
  const churn = sum(snap.minutes.filter((m) => recent.has(m.sk)).map(churnOf));
  const moves = sum(Object.entries(snap.movesByMinute).map(([m, n]) => (recent.has(m) ? n : 0)));

  const flapping = macAlerts
    .filter((a) => a.type === 'mac-flap' && a.clearedAtMs === undefined)
    .sort((a, b) => a.raisedAtMs - b.raisedAtMs)
    .map((a) => ({ mac: a.mac, vni: a.vni, since: iso(a.raisedAtMs), moveCount: a.moveCount, detail: a.detail }));

  const sources: FreshnessSource[] = [
    ...routerItems.map(
      (r): FreshnessSource => ({
        kind: 'bmp',
        name: r.sysName ? `${r.router} (${r.sysName})` : r.router,
        state: r.connected ? 'fresh' : 'stale',
        lastSeen: r.since,
        detail: r.connected ? '' : `BMP session down: ${r.detail}`,
      }),
    ),
    ...devices.map(
      (d): FreshnessSource => ({
        kind: 'gnmi',
        name: d.device,
        state: deviceFresh.get(d.device)?.fresh ? 'fresh' : 'stale',
        lastSeen: d.lastRxMs ? iso(d.lastRxMs) : null,
        detail: deviceFresh.get(d.device)?.detail ?? '',
      }),
    ),
  ];

  // What fresh devices report of their peers and VNIs: only a device's own delete says one is gone; a delete is
  // shown for an hour, a state other than UP while it lasts (`tunnels`); a state not refreshed in time is stale, and
  // listed in `staleLeaves` too (an UP one only there, so `tunnels` still lists what is down).
  const tunnels: TunnelView[] = [];
  const staleLeaves: TunnelView[] = [];
  for (const d of devices) {
    if (!deviceFresh.get(d.device)?.fresh) continue;
    for (const [kind, map] of [
      ['peer', d.peers],
      ['vni', d.vnis],
    ] as const) {
      for (const [k, st] of Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
        const stale = entryStale(st, o.staleAfterIntervals, nowMs);
        if ((st.state === 'UP' && !stale) || (st.state === 'DELETED' && nowMs - st.sinceMs > DELETED_SHOWN_MS)) continue;
        const bar = k.lastIndexOf('|');
        const entry: TunnelView = {
          device: d.device,
          vtep: d.vtep,
          kind,
          key: k.slice(bar + 1),
          endpoint: k.slice(0, bar),
          state: st.state,
          since: iso(st.sinceMs),
          stale,
          lastSeen: st.seenMs ? iso(st.seenMs) : null,
        };
        if (st.state !== 'UP') tunnels.push(entry);
        if (stale) staleLeaves.push(entry);
      }
    }
  }

  // Control plane against data plane. Like is compared with like: the VTEPs a type-3 route says serve a VNI, against
  // the remote VTEPs a device serving that VNI reports over gNMI. A device that reports no peer at all says nothing.
  const imetVtepsOf = new Map<number, VtepRouteItem[]>();
  for (const v of vtepItems)
    for (const [k, n] of Object.entries(v))
      if (k.startsWith('v:') && typeof n === 'number' && n > 0) {
        const list = imetVtepsOf.get(Number(k.slice(2)));
        if (list) list.push(v);
        else imetVtepsOf.set(Number(k.slice(2)), [v]);
      }
  const crossCheck: CrossCheckView[] = [];
  for (const d of devices) {
    if (!deviceFresh.get(d.device)?.fresh || !d.vtep || Object.keys(d.peers ?? {}).length === 0) continue;
    const peerOf = new Map(Object.entries(d.peers ?? {}).map(([k, st]) => [k.slice(k.lastIndexOf('|') + 1), st]));
    const served = new Set<number>();
    for (const [n, vs] of imetVtepsOf) if (vs.some((v) => v.vtep === d.vtep)) served.add(n);
    for (const [k, st] of Object.entries(d.vnis ?? {})) if (st.state === 'UP') served.add(Number(k.slice(k.lastIndexOf('|') + 1)));
    for (const n of [...served].sort((a, b) => a - b)) {
      for (const v of imetVtepsOf.get(n) ?? []) {
        if (v.vtep === d.vtep) continue;
        const st = peerOf.get(v.vtep);
        if (st?.state === 'UP') continue;
        const detail = st
          ? `${v.vtep} advertises VNI ${n} but ${d.device} reports its tunnel to it ${st.state}`
          : `${v.vtep} advertises VNI ${n} but ${d.device} has no tunnel to it`;
        crossCheck.push({
          kind: 'tunnel',
          device: d.device,
          vtep: d.vtep,
          vni: n,
          peer: v.vtep,
          detail,
          since: iso(Math.max(st?.sinceMs ?? 0, Number(v.lastChangeMs ?? 0))),
        });
      }
    }
  }

  // MACs, like with like (mac-cross-check.ts).
  const { counts: macCounts, disagreements } = compareMacCounts(devices, vtepItems, (d) => deviceFresh.get(d.device)?.fresh === true, o, nowMs);
  crossCheck.push(...disagreements);

  for (const [n, c] of macCounts) {
    let entry = vnis.find((v) => v.vni === n);
    if (!entry) {
      entry = { vni: n, vteps: [], macs: snap.macsPerVni[String(n)] ?? 0 };
      vnis.push(entry);
      vnis.sort((a, b) => a.vni - b.vni);
    }
    entry.macCounts = c;
  }

  const view: FabricHealthView = {
    fabric: snap.fabric,
    status: 'ok',
    reasons: [],
    updatedAt: null,
    routers,
    sessions: { up, total: sessionItems.length, down },
    vteps,
    vnis,
    macs: snap.macs,
    routesByType,
    churnPerMinute: Math.round((churn / RECENT_MINUTES) * 10) / 10,
    movesPerMinute: Math.round((moves / RECENT_MINUTES) * 10) / 10,
    flapping,
    freshness: { stale: sources.filter((s) => s.state === 'stale').length, sources },
    tunnels,
    staleLeaves,
    crossCheck,
  };
  if (status) {
    view.status = status.status;
    view.reasons = status.reasons;
    view.updatedAt = status.updatedAt;
  } else {
    const live = evaluateStatus(view, o.rules);
    view.status = live.status;
    view.reasons = live.reasons;
  }
  return view;
}

/** Route churn of one minute: the sum of its per-partition parts. */
export function churnOf(m: HealthMinuteItem): number {
  return sum(Object.entries(m).map(([k, v]) => (k.startsWith('c:') && typeof v === 'number' ? v : 0)));
}

/** Per-device rates of one minute. */
export function deviceRatesOf(m: HealthMinuteItem): [string, DeviceMinuteRates][] {
  return Object.entries(m)
    .filter(([k]) => k.startsWith('d:'))
    .map(([k, v]) => [k.slice(2), v as DeviceMinuteRates]);
}

/** An address's place in numeric order (IPv4 before IPv6), as a string that sorts so. */
const ipOrder = (x: string) =>
  x.includes(':')
    ? `1${x}`
    : `0${x
        .split('.')
        .map((o) => o.padStart(3, '0'))
        .join('.')}`;

/** Addresses in numeric order (IPv4 before IPv6). */
export function compareIp(a: string, b: string): number {
  const [x, y] = [ipOrder(a), ipOrder(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `compareIp`'s order, each address's sort key made once (not twice per comparison). */
function sortIps(ips: string[]): string[] {
  return ips
    .map((ip) => [ipOrder(ip), ip] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, ip]) => ip);
}
