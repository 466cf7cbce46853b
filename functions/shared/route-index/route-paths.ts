/**
 * The paths of one route item (a segment route, or every route of a prefix in an IP-VRF): each path is the route as
 * one router learnt it from one peer in one RIB view, replaced only by a newer event of that path (the event order of
 * functions/mac-index/route-changes.ts ordOf), so a redelivered or late event changes nothing. A withdrawal leaves a
 * tombstone, dropped after `tombstoneMs`.
 */
import type { RouteAttrs, RoutePath } from '../../../schemas/tables/route-index-items.js';

export interface PathChange {
  pathKey: string;
  router: string;
  fabric: string;
  advertise: boolean;
  ord: string;
  atMs: number;
  attrs?: RouteAttrs;
}

/** Applies one change in place; false when it changes nothing (older than what the path holds, or an unknown path's withdrawal). */
export function applyPathChange(paths: Record<string, RoutePath>, c: PathChange): boolean {
  const prev = paths[c.pathKey];
  if (prev && prev.o >= c.ord) return false;
  if (!c.advertise && (!prev || prev.w)) {
    if (prev) prev.o = c.ord;
    return prev !== undefined;
  }
  paths[c.pathKey] = c.advertise
    ? { o: c.ord, r: c.router, f: c.fabric, at: c.atMs, ...(c.attrs ? { a: c.attrs } : {}) }
    : { o: c.ord, r: c.router, f: c.fabric, at: c.atMs, w: true };
  return true;
}

/** Drops tombstones older than `tombstoneMs` before `nowMs`. */
export function pruneTombstones(paths: Record<string, RoutePath>, nowMs: number, tombstoneMs: number): void {
  for (const [k, p] of Object.entries(paths)) if (p.w && p.at < nowMs - tombstoneMs) delete paths[k];
}

export const livePaths = (paths: Record<string, RoutePath>): RoutePath[] => Object.values(paths).filter((p) => !p.w && p.a);

/** The newest live path's attributes (several RIB views and route reflectors report one route). */
export function newestLive(paths: Record<string, RoutePath>): RoutePath | undefined {
  let best: RoutePath | undefined;
  for (const p of livePaths(paths)) if (!best || p.o > best.o) best = p;
  return best;
}
