/**
 * Which EVPN routes a fabric has, from evpn.routes.v1: a route (one NLRI, RFC 7432 §7 route key, in one fabric) is live
 * while any of its reporters (router, peer, RIB view, table, ADD-PATH id) advertises it. Applying a route's events to its
 * stored item says what changed, as counter effects tagged with the record that caused them: route counts by type,
 * VTEPs (type-3 originators, RFC 7432 §7.3 and RFC 8365 §5.1.3; next hops of types 1, 2 and 5), VNIs per VTEP, churn.
 *
 * A route's events all share a Kafka partition (keyed by MAC or route key), so they arrive in order; a redelivery
 * replays a suffix of them. Every reporter remembers the collector sequence of its last event, so a replayed event
 * changes nothing.
 */
import { RouteAction, type RouteEvent } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import { healthKeys, type RouteItem, type RouteReporter } from '../../schemas/tables/index.js';

export interface RouteChange {
  fabric: string;
  routeKey: string;
  type: number;
  reporter: string;
  /** Collector sequence, fixed-width decimal (string order = numeric order). */
  ord: string;
  advertise: boolean;
  /** The VTEP the route names: the originator of a type 3, the next hop of types 1, 2 and 5; "" otherwise. */
  vtep: string;
  vni: number;
  /**
   * A type-2 route with no IP address (RFC 7432 §7.2, IP Address Length 0): one per MAC a VTEP advertises in a VNI. A
   * MAC's MAC/IP routes (one per IP, §9.1) are not counted, so a MAC with two IPs is one MAC.
   */
  macOnly: boolean;
  atMs: number;
  source: string;
  offset: number;
}

/** One counter change caused by one record. */
export interface RouteEffect {
  source: string;
  offset: number;
  atMs: number;
  /**
   * type: route count of an EVPN type; nh / imet / vni: a VTEP's counters; mac: a VTEP's MACs in VNI `key` (MAC-only
   * type-2 routes, see RouteChange.macOnly); churn: one route change.
   */
  kind: 'type' | 'nh' | 'imet' | 'vni' | 'mac' | 'churn';
  vtep?: string;
  key: number;
  delta: number;
}

const NO_ADDRESS = new Set(['', '0.0.0.0', '::']);

export function ordOf(seq: unknown): string {
  return toBigInt(seq as never)
    .toString()
    .padStart(20, '0');
}

export function routerIdOf(r: { address?: string | null; bgpId?: string | null } | null | undefined): string {
  return r?.bgpId ? `${r.address ?? ''}/${r.bgpId}` : (r?.address ?? '');
}

export function routeChangeOf(ev: RouteEvent, rec: { timestamp: number; topic: string; partition: number; offset: number }): RouteChange | undefined {
  if (!ev.routeKey || !ev.fabric) return undefined;
  const type = ev.routeType;
  const vtep = type === 3 ? ev.originatorIp : type === 1 || type === 2 || type === 5 ? ev.nextHop : '';
  return {
    fabric: ev.fabric,
    routeKey: ev.routeKey,
    type,
    reporter: `${routerIdOf(ev.router)}|${ev.peer?.address ?? ''}|${ev.peer?.distinguisher ?? ''}|${ev.peer?.ribView ?? 0}|${ev.peer?.tableName ?? ''}|${ev.pathId}`,
    ord: ordOf(ev.collectorSeq),
    advertise: ev.action === RouteAction.ROUTE_ACTION_ADVERTISE,
    vtep: NO_ADDRESS.has(vtep) ? '' : vtep,
    vni: type === 2 || type === 3 ? ev.vni : 0,
    macOnly: type === 2 && !ev.ip,
    atMs: rec.timestamp,
    source: `${rec.topic}-${rec.partition}`,
    offset: rec.offset,
  };
}

export function emptyRouteItem(c: RouteChange): RouteItem {
  return { ...healthKeys.route(c.fabric, c.routeKey), fabric: c.fabric, routeKey: c.routeKey, type: c.type, reps: {}, version: 0 };
}

interface Summary {
  live: boolean;
  vteps: Set<string>;
  vni: number;
  /** The first VNI any live reporter gives (a reporter whose copy lost the VXLAN encapsulation gives none). */
  anyVni: number;
}

function summarize(item: RouteItem): Summary {
  const live = Object.values(item.reps).filter((r) => !r.w);
  return { live: live.length > 0, vteps: new Set(live.map((r) => r.vtep).filter(Boolean)), vni: live[0]?.vni ?? 0, anyVni: live.find((r) => r.vni)?.vni ?? 0 };
}

/** How long a route all of whose reporters withdrew it is kept (its tombstones reject late replays). */
const DEAD_ROUTE_TTL_SECONDS = 3600;

export function applyRouteChanges(stored: RouteItem | undefined, changes: RouteChange[]): { item: RouteItem; changed: boolean; effects: RouteEffect[] } {
  const first = changes[0]!;
  // Reporters are replaced, never changed in place: copying the item and its reporter map leaves `stored` as it was.
  const item: RouteItem = stored ? { ...stored, reps: { ...stored.reps } } : emptyRouteItem(first);
  const effects: RouteEffect[] = [];
  let changed = false;
  for (const c of changes) {
    const cur = item.reps[c.reporter];
    if (cur && c.ord <= cur.ord) continue; // a duplicate or a replay
    const before = summarize(item);
    const next: RouteReporter = c.advertise
      ? { ord: c.ord, vtep: c.vtep, vni: c.vni }
      : { ord: c.ord, vtep: cur?.vtep ?? c.vtep, vni: cur?.vni ?? c.vni, w: true };
    item.reps[c.reporter] = next;
    changed = true;
    effects.push(...diff(item.type, before, summarize(item), c));
  }
  const after = summarize(item);
  if (changed) {
    if (after.live) delete item.expiresAt;
    else item.expiresAt = Math.floor(changes[changes.length - 1]!.atMs / 1000) + DEAD_ROUTE_TTL_SECONDS;
  }
  return { item, changed, effects };
}

function diff(type: number, a: Summary, b: Summary, c: RouteChange): RouteEffect[] {
  const out: RouteEffect[] = [];
  const at = { source: c.source, offset: c.offset, atMs: c.atMs };
  if (a.live !== b.live) out.push({ ...at, kind: 'type', key: type, delta: b.live ? 1 : -1 });
  const gone = [...a.vteps].filter((v) => !b.vteps.has(v));
  const added = [...b.vteps].filter((v) => !a.vteps.has(v));
  if (a.live !== b.live || gone.length || added.length) out.push({ ...at, kind: 'churn', key: 0, delta: 1 });
  const vteps = (list: string[], delta: number, vni: number) => {
    for (const vtep of list) {
      if (type === 3) {
        out.push({ ...at, kind: 'imet', vtep, key: 0, delta });
        if (vni) out.push({ ...at, kind: 'vni', vtep, key: vni, delta });
      } else {
        out.push({ ...at, kind: 'nh', vtep, key: 0, delta });
      }
    }
  };
  vteps(gone, -1, a.vni);
  vteps(added, 1, b.vni);
  // MACs per (VTEP, VNI): what the route counted before against what it counts now, so that a VNI learned from a later
  // reporter (or lost with the last one that gave it) moves the count too.
  if (type === 2 && c.macOnly) {
    const keyed = (x: Summary) => new Set(x.anyVni ? [...x.vteps].map((v) => `${x.anyVni}|${v}`) : []);
    const [before, after] = [keyed(a), keyed(b)];
    for (const [set, other, delta] of [
      [before, after, -1],
      [after, before, 1],
    ] as const)
      for (const k of set) {
        if (other.has(k)) continue;
        const bar = k.indexOf('|');
        out.push({ ...at, kind: 'mac', vtep: k.slice(bar + 1), key: Number(k.slice(0, bar)), delta });
      }
  }
  return out;
}
