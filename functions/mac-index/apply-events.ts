/**
 * The pure core of the MAC index: applies one MAC/VNI's route events (in their partition's order) to its stored item
 * and says what follows: the new item, history entries, IP bindings gained and lost, alerts raised and cleared.
 *
 * Exact under at-least-once delivery: every path remembers the collector sequence of the last event applied to it,
 * so a duplicate or a replay of an older event changes nothing, and a withdrawal leaves a tombstone for a while.
 * Times are event times (Kafka record timestamps), never the wall clock, so a replay computes the same index.
 */
import { type HistoryItem, keys, type MacAlertKind, type MacItem, type MacLocation, type MacPath } from '../../schemas/tables/index.js';
import { competitors, computeLocation, locationIdentity, ZERO_ESI } from './location.js';
import type { MacIndexOptions } from './options.js';

export interface MacRouteChange {
  mac: string;
  vni: number;
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
  /** Collector sequence (decimal string, monotonic per collector). */
  ord: string;
  /** Event time, ms since epoch. */
  atMs: number;
}

export interface AlertEffect {
  kind: 'raise' | 'clear';
  type: MacAlertKind;
  mac: string;
  vni: number;
  fabric: string;
  fabrics: string[];
  raisedAtMs: number;
  clearedAtMs?: number;
  alertPk: string;
  alertSk: string;
  moveCount: number;
  detail: string;
}

export interface ApplyResult {
  item: MacItem;
  changed: boolean;
  history: HistoryItem[];
  ipsAdded: string[];
  ipsRemoved: string[];
  alerts: AlertEffect[];
  /** +1 when the MAC appeared in a fabric, -1 when it left one. */
  fabricDelta: Record<string, number>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function emptyItem(mac: string, vni: number, atMs: number): MacItem {
  // firstSeen is set when a location first appears (not by a withdrawal that arrives before any advertisement).
  return { ...keys.mac(mac, vni), mac, vni, paths: {}, recentMoves: [], moveCount: 0, firstSeen: '', version: 0, activeAlerts: {}, updatedMs: atMs };
}

const newer = (a: string, b: string) => BigInt(a) > BigInt(b);

export function applyEvents(stored: MacItem | undefined, events: MacRouteChange[], opts: MacIndexOptions): ApplyResult {
  const first = events[0]!;
  const item: MacItem = stored ? structuredClone(stored) : emptyItem(first.mac, first.vni, first.atMs);
  const result: ApplyResult = { item, changed: false, history: [], ipsAdded: [], ipsRemoved: [], alerts: [], fabricDelta: {} };
  const beforeIps = new Set(item.location?.ips ?? []);
  const beforeFabric = item.location?.fabric;

  for (const ev of events) {
    const cur = item.paths[ev.pathKey];
    if (cur && !newer(ev.ord, cur.ord)) continue; // duplicate or older replay
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
        atUs: String(BigInt(ev.atMs) * 1000n),
        ord: ev.ord,
      };
      if (cur && !cur.withdrawn && samePath(cur, next)) {
        cur.ord = ev.ord; // nothing a reader sees changed: no write needed for this alone
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
    relocate(item, ev, opts, result);
  }

  // Tombstones only need to outlive replays of what they withdrew.
  const horizonUs = BigInt(Math.max(...events.map((e) => e.atMs)) - opts.tombstoneSeconds * 1000) * 1000n;
  for (const [k, p] of Object.entries(item.paths)) {
    if (p.withdrawn && BigInt(p.atUs) < horizonUs) {
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
  return result;
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
    atUs: String(BigInt(ev.atMs) * 1000n),
    ord: ev.ord,
    withdrawn: true,
  };
}

function samePath(a: MacPath, b: MacPath): boolean {
  return a.vtep === b.vtep && a.esi === b.esi && a.seq === b.seq && a.sticky === b.sticky && a.fabric === b.fabric && a.ips.join() === b.ips.join();
}

/** Recomputes the location after one path changed; records moves, flaps, duplicates and sticky moves. */
function relocate(item: MacItem, ev: MacRouteChange, opts: MacIndexOptions, out: ApplyResult): void {
  const live = Object.values(item.paths).filter((p) => !p.withdrawn);
  const prev = item.location;
  const nowIso = iso(ev.atMs);
  const loc = computeLocation(live, item.vni, prev, nowIso);
  item.updatedMs = Math.max(item.updatedMs, ev.atMs);
  const seenBefore = item.firstSeen !== '';
  if (loc && !seenBefore) item.firstSeen = nowIso;
  clearQuiet(item, ev.atMs, opts, out);

  const expiresAt = Math.floor(ev.atMs / 1000) + opts.historyRetentionDays * 86400;
  const hist = (kind: HistoryItem['kind'], from?: MacLocation, to?: MacLocation): HistoryItem => ({
    ...keys.history(item.mac, nowIso, item.vni),
    mac: item.mac,
    vni: item.vni,
    at: nowIso,
    kind,
    from,
    to,
    expiresAt,
  });

  // A first appearance needs no history entry (the item's firstSeen and location.since tell it); a return after a
  // disappearance does.
  if (!prev && loc && seenBefore) out.history.push(hist('appear', undefined, loc));
  else if (prev && !loc) out.history.push(hist('disappear', prev, undefined));
  else if (prev && loc && locationIdentity(prev) !== locationIdentity(loc)) {
    out.history.push(hist('move', prev, loc));
    item.moveCount++;
    item.recentMoves = [...item.recentMoves.filter((t) => t > ev.atMs - opts.flapWindowSeconds * 1000), ev.atMs];
    if (item.recentMoves.length >= opts.flapMoves) {
      raise(
        item,
        'mac-flap',
        ev.atMs,
        loc,
        [prev.fabric, loc.fabric],
        `${item.recentMoves.length} moves within ${opts.flapWindowSeconds} s (last ${prev.vtep} → ${loc.vtep})`,
        out,
      );
    }
    if (prev.sticky && !(loc.sticky && loc.vtep === prev.vtep)) {
      raise(item, 'sticky-move', ev.atMs, loc, [prev.fabric, loc.fabric], `sticky MAC seen moving from ${prev.vtep} to ${loc.vtep}`, out);
    }
  }
  item.location = loc;
  if (!loc) return;

  const rivals = competitors(live, loc);
  const top = rivals[0];
  if (top && loc.sticky && !top.sticky) {
    raise(item, 'sticky-move', ev.atMs, loc, [loc.fabric, top.fabric], `sticky MAC on ${loc.vtep} also advertised from ${top.vtep}`, out);
  }
  // RFC 7432 §15.1: two locations that keep equal sequence numbers are a duplicate MAC, not a move in progress.
  if (top && !loc.sticky && !top.sticky && top.seq === loc.sequence) {
    item.dupSinceMs ??= ev.atMs;
    if (ev.atMs - item.dupSinceMs >= opts.duplicateHoldSeconds * 1000) {
      raise(item, 'duplicate-mac', ev.atMs, loc, [loc.fabric, top.fabric], `advertised from ${loc.vtep} and ${top.vtep} with sequence ${loc.sequence}`, out);
    }
  } else item.dupSinceMs = undefined;
}

function raise(item: MacItem, type: MacAlertKind, atMs: number, loc: MacLocation, fabrics: string[], detail: string, out: ApplyResult): void {
  if (item.activeAlerts[type]) return; // once per episode
  const k = keys.alert(iso(atMs), type, keys.macSubject(item.mac, item.vni));
  item.activeAlerts[type] = { raisedAtMs: atMs, alertPk: k.pk, alertSk: k.sk };
  out.alerts.push({
    kind: 'raise',
    type,
    mac: item.mac,
    vni: item.vni,
    fabric: loc.fabric,
    fabrics: [...new Set(fabrics)],
    raisedAtMs: atMs,
    alertPk: k.pk,
    alertSk: k.sk,
    moveCount: item.recentMoves.length,
    detail,
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
    if (type === 'mac-flap') item.recentMoves = [];
    cleared = true;
    out.alerts.push({
      kind: 'clear',
      type,
      mac: item.mac,
      vni: item.vni,
      fabric: item.location?.fabric ?? '',
      fabrics: [],
      raisedAtMs: ref.raisedAtMs,
      clearedAtMs: nowMs,
      alertPk: ref.alertPk,
      alertSk: ref.alertSk,
      moveCount: 0,
      detail: 'quiet',
    });
  }
  return cleared;
}
