/**
 * The pure core of the MAC index: applies one MAC/VNI's route events (in their partition's order) to its stored item
 * and says what follows: the new item, history entries, IP bindings gained and lost, alerts raised and cleared.
 *
 * Exact under at-least-once delivery: every path remembers the collector sequence of the last event applied to it,
 * so a duplicate or a replay of an older event changes nothing, and a withdrawal leaves a tombstone for a while.
 * Times are event times (Kafka record timestamps), never the wall clock, so a replay computes the same index.
 *
 * A move is a MAC leaving one location and appearing at another. Advertise-first (the new route before the old one's
 * withdrawal) the location changes in one step. Withdraw-first it passes through "nowhere": the disappearance is
 * recorded (a MAC that does not come back stays disappeared) and remembered in `vanished`; an advertisement within
 * `moveGapSeconds` (+ `clockSkewSeconds`) of it, measured on the routers' per-peer timestamps, turns that entry into a
 * `move` (same history key, so it overwrites it) — or removes it when the MAC came back where it was. Across data
 * centers both orders happen (different routers, BMP sessions and collectors; no RFC 7432 §15 sequence numbers where
 * DCI gateways re-originate routes), and both give one move.
 */
import { ZERO_ESI } from '../../schemas/ethernet-segment.js';
import { compareUnsigned, usOfMs } from '../../schemas/long.js';
import {
  type AlertLocationItem,
  type AlertSeverity,
  type CompetingAdvertisement,
  type HistoryItem,
  keys,
  type MacAlertKind,
  type MacItem,
  type MacLocation,
  type MacPath,
  type Segment,
} from '../../schemas/tables/index.js';
import { competitors, computeLocation, locationIdentity } from './location.js';
import type { MacIndexOptions } from './options.js';
import { epochOfOrd } from './route-changes.js';

export interface MacRouteChange {
  mac: string;
  /** The segment (schemas/tables/segment.ts): the VNI, or 0 and the EVI's route target for a route without a VNI. */
  vni: number;
  evi?: string;
  advertise: boolean;
  /** Identity of the reporting path without its RIB view (router, peer, table, path id, route key). */
  pathKey: string;
  router: string;
  fabric: string;
  vtep: string;
  esi: string;
  seq: number;
  sticky: boolean;
  ip: string;
  /** Order within the path: (session epoch, collector sequence) as a string (route-changes.ts ordOf). */
  ord: string;
  /** Event time, ms since epoch (the Kafka record time): stored times and history keys. */
  atMs: number;
  /** The router's per-peer header time (ms since epoch), 0 when absent: the move gap is measured on it. */
  routerMs: number;
}

export interface AlertEffect {
  kind: 'raise' | 'clear';
  type: MacAlertKind;
  mac: string;
  vni: number;
  evi?: string;
  fabric: string;
  fabrics: string[];
  raisedAtMs: number;
  clearedAtMs?: number;
  alertPk: string;
  alertSk: string;
  moveCount: number;
  detail: string;
  /** The locations involved (a flap's, a duplicate's), with fabric and VTEP; empty for a clear. */
  locations: AlertLocationItem[];
  crossFabric: boolean;
  severity: AlertSeverity;
}

export interface ApplyResult {
  item: MacItem;
  changed: boolean;
  history: HistoryItem[];
  /** History entries written earlier that turned out wrong: a disappearance undone by a return to the same place. */
  historyDeleted: { pk: string; sk: string }[];
  /** The MAC started (or stopped) needing the sweep's duplicate watch item. */
  dupWatch?: 'start' | 'stop';
  ipsAdded: string[];
  ipsRemoved: string[];
  alerts: AlertEffect[];
  /** +1 when the MAC appeared in a fabric, -1 when it left one. */
  fabricDelta: Record<string, number>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function emptyItem(mac: string, seg: Segment, atMs: number): MacItem {
  // firstSeen is set when a location first appears (not by a withdrawal that arrives before any advertisement).
  return {
    ...keys.mac(mac, seg),
    mac,
    vni: seg.vni,
    ...(seg.evi ? { evi: seg.evi } : {}),
    paths: {},
    recentMoves: [],
    moveCount: 0,
    firstSeen: '',
    version: 0,
    activeAlerts: {},
    updatedMs: atMs,
  };
}

/**
 * A copy of a stored item that applyEvents may change without changing `stored` (the caller still reads it: its
 * version for the conditional write, its location for the counters). applyEvents changes the item, its path map, paths
 * and alert map in place and only ever replaces everything else (location, vanished, competing, moveSites, counted,
 * recentMoves), so those are shared. structuredClone did this at ~16 µs for a MAC with six paths (2.5 kB), as much as
 * parsing the item; this is a tenth of that, and the clone is once per MAC and batch.
 */
export function copyForUpdate(stored: MacItem): MacItem {
  const paths: Record<string, MacPath> = {};
  for (const k in stored.paths) paths[k] = { ...stored.paths[k]! };
  return { ...stored, paths, activeAlerts: { ...stored.activeAlerts } };
}

/** ords compare as strings (route-changes.ts ordOf): fixed widths, and epoch-less ones before any with an epoch. */
const newer = (a: string, b: string) => a > b;

export function applyEvents(stored: MacItem | undefined, events: MacRouteChange[], opts: MacIndexOptions): ApplyResult {
  const first = events[0]!;
  const item: MacItem = stored ? copyForUpdate(stored) : emptyItem(first.mac, first, first.atMs);
  const result: ApplyResult = { item, changed: false, history: [], historyDeleted: [], ipsAdded: [], ipsRemoved: [], alerts: [], fabricDelta: {} };
  const beforeIps = new Set(item.location?.ips ?? []);
  const beforeFabric = item.location?.fabric;
  const watchedBefore = watched(item);

  for (const ev of events) {
    const cur = item.paths[ev.pathKey];
    if (cur && !newer(ev.ord, cur.ord)) continue; // duplicate or older replay
    const when = moveTime(ev, cur, opts);
    let next: MacPath;
    if (ev.advertise) {
      next = {
        vtep: ev.vtep,
        esi: ev.esi || ZERO_ESI,
        seq: ev.seq,
        sticky: ev.sticky,
        fabric: ev.fabric,
        routers: [ev.router],
        ips: ev.ip ? [ev.ip] : [],
        atUs: usOfMs(ev.atMs),
        ord: ev.ord,
        ...(ev.routerMs ? { routerMs: ev.routerMs } : {}),
      };
      if (cur && !cur.withdrawn && samePath(cur, next)) {
        // Nothing a reader sees changed: no write needed for this alone, unless the path was re-sent in a new session
        // epoch (a resync): it must be stored as of that epoch, or the resync's end would take it for a stale one.
        if (epochOfOrd(ev.ord) !== epochOfOrd(cur.ord)) result.changed = true;
        cur.ord = ev.ord;
        if (next.routerMs !== undefined && next.routerMs !== cur.routerMs) {
          // …unless it was re-sent with a new stamp: the withdrawal that follows may carry that age (moveTime).
          cur.routerMs = next.routerMs;
          result.changed = true;
        }
        continue;
      }
    } else {
      if (!cur || cur.withdrawn) {
        if (cur) cur.ord = ev.ord;
        else item.paths[ev.pathKey] = tombstone(ev);
        continue;
      }
      next = tombstone(ev);
    }
    item.paths[ev.pathKey] = next;
    result.changed = true;
    relocate(item, ev, when, opts, result);
  }

  // Tombstones only need to outlive replays of what they withdrew.
  let lastMs = 0;
  for (const e of events) lastMs = Math.max(lastMs, e.atMs);
  const horizonMs = lastMs - opts.tombstoneSeconds * 1000;
  const horizonUs = horizonMs > 0 ? usOfMs(horizonMs) : undefined;
  for (const k in item.paths) {
    const p = item.paths[k]!;
    if (p.withdrawn && horizonUs !== undefined && compareUnsigned(p.atUs, horizonUs) < 0) {
      delete item.paths[k];
      result.changed = true;
    }
  }

  const afterIps = new Set(item.location?.ips ?? []);
  result.ipsAdded = [...afterIps].filter((i) => !beforeIps.has(i));
  result.ipsRemoved = [...beforeIps].filter((i) => !afterIps.has(i));
  const afterFabric = item.location?.fabric;
  if (beforeFabric !== afterFabric) {
    if (beforeFabric) result.fabricDelta[beforeFabric] = (result.fabricDelta[beforeFabric] ?? 0) - 1;
    if (afterFabric) result.fabricDelta[afterFabric] = (result.fabricDelta[afterFabric] ?? 0) + 1;
  }
  const watchedAfter = watched(item);
  if (watchedBefore !== watchedAfter) result.dupWatch = watchedAfter ? 'start' : 'stop';
  return result;
}

/** Whether the sweep must watch this MAC: a duplicate candidate whose alert is not raised yet. */
export function watched(item: MacItem): boolean {
  return item.dupSinceMs !== undefined && !item.activeAlerts['duplicate-mac'];
}

/**
 * When an event happened, for the move gap: the router's per-peer timestamp, unless it is absent, lies in the future
 * of the record (a router clock that is off), or is a withdrawal stamped no later than the advertisement it withdraws
 * (GoBGP stamps a withdrawal with the route's age, measured: `npm run bench -- bmp-latency`); then the record time.
 */
export function moveTime(ev: MacRouteChange, cur: MacPath | undefined, opts: MacIndexOptions): number {
  const r = ev.routerMs;
  if (!r || r > ev.atMs + opts.clockSkewSeconds * 1000) return ev.atMs;
  if (!ev.advertise && cur?.routerMs !== undefined && r <= cur.routerMs) return ev.atMs;
  return r;
}

function tombstone(ev: MacRouteChange): MacPath {
  return {
    vtep: ev.vtep,
    esi: ev.esi || ZERO_ESI,
    seq: 0,
    sticky: false,
    fabric: ev.fabric,
    routers: [ev.router],
    ips: [],
    atUs: usOfMs(ev.atMs),
    ord: ev.ord,
    withdrawn: true,
  };
}

function samePath(a: MacPath, b: MacPath): boolean {
  return a.vtep === b.vtep && a.esi === b.esi && a.seq === b.seq && a.sticky === b.sticky && a.fabric === b.fabric && a.ips.join() === b.ips.join();
}

/** Recomputes the location after one path changed; records moves, flaps, duplicates and sticky moves. */
function relocate(item: MacItem, ev: MacRouteChange, when: number, opts: MacIndexOptions, out: ApplyResult): void {
  const live = Object.values(item.paths).filter((p) => !p.withdrawn);
  const prev = item.location;
  const nowIso = iso(ev.atMs);
  const gone = item.vanished;
  const back = !prev && gone && Math.abs(when - gone.whenMs) <= (opts.moveGapSeconds + opts.clockSkewSeconds) * 1000 ? gone : undefined;
  const loc = computeLocation(live, item.vni, prev ?? back?.from, nowIso);
  item.updatedMs = Math.max(item.updatedMs, ev.atMs);
  const seenBefore = item.firstSeen !== '';
  if (loc && !seenBefore) item.firstSeen = nowIso;
  clearQuiet(item, ev.atMs, opts, out);

  const hist = (kind: HistoryItem['kind'], from: MacLocation | undefined, to: MacLocation | undefined, atMs = ev.atMs): HistoryItem => ({
    ...keys.history(item.mac, iso(atMs), item),
    mac: item.mac,
    vni: item.vni,
    ...(item.evi ? { evi: item.evi } : {}),
    at: iso(atMs),
    kind,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    expiresAt: Math.floor(atMs / 1000) + opts.historyRetentionDays * 86400,
  });

  if (!prev && loc) {
    delete item.vanished;
    if (back) {
      // Back within the gap: the disappearance (written now or by an earlier batch, under this key) was half a move.
      const key = keys.history(item.mac, iso(back.atMs), item);
      const pending = out.history.findIndex((h) => h.sk === key.sk);
      if (pending >= 0) out.history.splice(pending, 1);
      if (locationIdentity(back.from) === locationIdentity(loc)) {
        if (pending < 0) out.historyDeleted.push(key); // same place: no move, and no disappearance either
      } else moved(item, back.from, loc, back.atMs, ev.atMs, opts, out, hist);
    } else if (seenBefore) {
      // A first appearance needs no history entry (the item's firstSeen and location.since tell it); a return does.
      out.history.push(hist('appear', undefined, loc));
    }
  } else if (prev && !loc) {
    out.history.push(hist('disappear', prev, undefined));
    item.vanished = { from: prev, atMs: ev.atMs, whenMs: when };
  } else if (prev && loc && locationIdentity(prev) !== locationIdentity(loc)) {
    moved(item, prev, loc, ev.atMs, ev.atMs, opts, out, hist);
  }
  // Attributes that go are deleted, never set to undefined: an item without undefined attributes is stored as it is,
  // while one with any is copied without them first (the embedded store; the DynamoDB adapter's marshalling likewise).
  if (!loc) {
    delete item.location;
    delete item.competing;
    delete item.dupSinceMs;
    return;
  }
  item.location = loc;

  const rivals = rivalLocations(live, loc);
  if (rivals.length) item.competing = rivals;
  else delete item.competing;
  const top = rivals[0];
  if (top && loc.sticky && !top.sticky) {
    raise(
      item,
      'sticky-move',
      ev.atMs,
      loc,
      [alertLocation(loc, item.vni), alertLocation(top, item.vni)],
      `sticky MAC on ${loc.vtep} also advertised from ${top.vtep}`,
      out,
    );
  }
  // RFC 7432 §15.1: locations that keep equal sequence numbers are a duplicate MAC, not a move in progress; the hold
  // tells the two apart. The event that finds the hold passed raises it; else the sweep does (raiseHeldDuplicate).
  if (rivals.some((r) => r.conflicting)) {
    item.dupSinceMs ??= ev.atMs;
    const due = item.dupSinceMs + opts.duplicateHoldSeconds * 1000;
    if (ev.atMs >= due) raiseDuplicate(item, due, out);
  } else delete item.dupSinceMs;
}

/** One move from `from` to `to`: history, flap counting (RFC 7432 §15.1) and the sticky rule (§15.2). */
function moved(
  item: MacItem,
  from: MacLocation,
  to: MacLocation,
  moveAtMs: number,
  nowMs: number,
  opts: MacIndexOptions,
  out: ApplyResult,
  hist: (kind: HistoryItem['kind'], from: MacLocation | undefined, to: MacLocation | undefined, atMs?: number) => HistoryItem,
): void {
  out.history.push(hist('move', from, to, moveAtMs));
  item.moveCount++;
  const horizon = nowMs - opts.flapWindowSeconds * 1000;
  item.recentMoves = [...item.recentMoves.filter((t) => t > horizon), moveAtMs];
  const sites: Record<string, NonNullable<MacItem['moveSites']>[string]> = {};
  for (const [k, v] of Object.entries(item.moveSites ?? {})) if (v.lastMs > horizon) sites[k] = v;
  for (const l of [from, to])
    sites[locationIdentity(l)] = { ...alertLocation(l, item.vni), lastMs: Math.max(moveAtMs, sites[locationIdentity(l)]?.lastMs ?? 0) };
  item.moveSites = sites;
  if (item.recentMoves.length >= opts.flapMoves) {
    const where = Object.values(sites)
      .map(({ lastMs: _l, ...site }) => site)
      .sort((a, b) => `${a.fabric}|${a.vtep}`.localeCompare(`${b.fabric}|${b.vtep}`));
    raise(
      item,
      'mac-flap',
      nowMs,
      to,
      where,
      `${item.recentMoves.length} moves within ${opts.flapWindowSeconds} s (last ${from.fabric}/${from.vtep} → ${to.fabric}/${to.vtep})`,
      out,
    );
  }
  if (from.sticky && !(to.sticky && to.vtep === from.vtep)) {
    raise(
      item,
      'sticky-move',
      nowMs,
      to,
      [alertLocation(from, item.vni), alertLocation(to, item.vni)],
      `sticky MAC seen moving from ${from.vtep} to ${to.vtep}`,
      out,
    );
  }
}

/** The other advertised locations (another ES or VTEP), best first, one entry per location. */
function rivalLocations(live: MacPath[], chosen: MacLocation): CompetingAdvertisement[] {
  const groups = new Map<string, MacPath[]>();
  for (const p of competitors(live, chosen)) {
    const k = locationIdentity(p);
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  return [...groups.values()].map((paths) => {
    const l = computeLocation(paths, chosen.vni, undefined, '')!;
    return {
      fabric: l.fabric,
      vtep: l.vtep,
      vteps: l.vteps,
      esi: l.esi,
      routers: l.routers,
      ips: l.ips,
      sequence: l.sequence,
      sticky: l.sticky,
      lastSeen: l.lastSeen,
      conflicting: !chosen.sticky && !l.sticky && l.sequence === chosen.sequence,
    };
  });
}

const alertLocation = (l: Pick<MacLocation, 'fabric' | 'vtep' | 'vteps' | 'esi' | 'sequence'>, vni: number): AlertLocationItem => ({
  fabric: l.fabric,
  vtep: l.vtep,
  vteps: l.vteps,
  esi: l.esi,
  sequence: l.sequence,
  vni,
});

function raiseDuplicate(item: MacItem, atMs: number, out: { alerts: AlertEffect[] }): void {
  const loc = item.location;
  const rivals = (item.competing ?? []).filter((c) => c.conflicting);
  if (!loc || rivals.length === 0) return;
  const where = [loc, ...rivals].map((l) => alertLocation(l, item.vni));
  raise(item, 'duplicate-mac', atMs, loc, where, `advertised from ${where.map((w) => `${w.fabric}/${w.vtep}`).join(', ')} with sequence ${loc.sequence}`, out);
}

/**
 * The sweep's half of duplicate detection: a MAC whose locations have kept equal sequence numbers for the hold time
 * is a duplicate even when no further event comes. Raised at dupSinceMs + hold (not at the sweep's clock), so two
 * sweeps, or a sweep and an event, raise the same alert.
 */
export function raiseHeldDuplicate(item: MacItem, nowMs: number, opts: MacIndexOptions): AlertEffect[] {
  if (item.dupSinceMs === undefined || item.activeAlerts['duplicate-mac']) return [];
  const due = item.dupSinceMs + opts.duplicateHoldSeconds * 1000;
  if (nowMs < due) return [];
  const out: { alerts: AlertEffect[] } = { alerts: [] };
  raiseDuplicate(item, due, out);
  return out.alerts;
}

function raise(
  item: MacItem,
  type: MacAlertKind,
  atMs: number,
  loc: MacLocation,
  locations: AlertLocationItem[],
  detail: string,
  out: { alerts: AlertEffect[] },
): void {
  if (item.activeAlerts[type]) return; // once per episode
  const k = keys.alert(iso(atMs), type, keys.macSubject(item.mac, item));
  const fabrics = [...new Set(locations.map((l) => l.fabric))].sort();
  const severity: AlertSeverity = fabrics.length > 1 ? 'critical' : 'warning';
  item.activeAlerts[type] = { raisedAtMs: atMs, alertPk: k.pk, alertSk: k.sk, fabrics, severity };
  out.alerts.push({
    kind: 'raise',
    type,
    mac: item.mac,
    vni: item.vni,
    ...(item.evi ? { evi: item.evi } : {}),
    fabric: loc.fabric,
    fabrics,
    raisedAtMs: atMs,
    alertPk: k.pk,
    alertSk: k.sk,
    moveCount: item.recentMoves.length,
    detail,
    locations,
    crossFabric: fabrics.length > 1,
    severity,
  });
}

/** Clears alerts whose condition has been quiet long enough (also run by the periodic sweep). */
export function clearQuiet(item: MacItem, nowMs: number, opts: MacIndexOptions, out: { alerts: AlertEffect[] }): boolean {
  let cleared = false;
  const lastMove = item.recentMoves.length ? item.recentMoves[item.recentMoves.length - 1]! : 0;
  for (const [type, ref] of Object.entries(item.activeAlerts) as [MacAlertKind, NonNullable<MacItem['activeAlerts'][MacAlertKind]>][]) {
    const quietSince =
      type === 'mac-flap'
        ? Math.max(lastMove, ref.raisedAtMs)
        : type === 'duplicate-mac'
          ? item.dupSinceMs === undefined
            ? ref.raisedAtMs
            : Infinity
          : ref.raisedAtMs;
    if (nowMs - quietSince < opts.flapQuietSeconds * 1000) continue;
    delete item.activeAlerts[type];
    if (type === 'mac-flap') {
      item.recentMoves = [];
      delete item.moveSites;
    }
    cleared = true;
    const fabrics = ref.fabrics ?? [];
    out.alerts.push({
      kind: 'clear',
      type,
      mac: item.mac,
      vni: item.vni,
      ...(item.evi ? { evi: item.evi } : {}),
      fabric: item.location?.fabric ?? '',
      fabrics,
      raisedAtMs: ref.raisedAtMs,
      clearedAtMs: nowMs,
      alertPk: ref.alertPk,
      alertSk: ref.alertSk,
      moveCount: 0,
      detail: 'quiet',
      locations: [],
      crossFabric: fabrics.length > 1,
      severity: ref.severity ?? 'warning',
    });
  }
  return cleared;
}
