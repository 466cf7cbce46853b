/**
 * What the collector remembers per monitored router: for every (peer, RIB view, table) the routes it currently holds,
 * each as a fingerprint of what was last published, so that exact repeats are dropped, a Peer Down can withdraw the
 * peer's routes, and a reconnect can withdraw what was not re-sent. A route's identity is router + peer + RIB view +
 * table name + ADD-PATH path id + NLRI key (RFC 7432 §7 route key).
 */
import type { EvpnRoute, PerPeerHeader } from '../bmp/types.js';

export interface RouteEntry {
  /** Fingerprint of the published attributes; equal fingerprint = exact repeat. */
  fp: string;
  /** Router generation (connection number) in which the route was last (re-)sent; older = stale. */
  gen: number;
  route: EvpnRoute;
  nextHop: string;
  /** The VNI published with the advertisement (labels, or route targets when a router sends no label). */
  vni: number;
}

export interface ViewState {
  key: string;
  peer: PerPeerHeader;
  ribView: number;
  tableName: string;
  routes: Map<string, RouteEntry>;
}

export interface PeerOptions {
  fourOctetAs: boolean;
  addPath: Set<string>;
}

export class RouterState {
  sysName = '';
  sysDescr = '';
  bgpId = '';
  fabric = '';
  /** Connection count: bumped on every reconnect, so entries with a lower gen are stale until re-sent. */
  gen = 0;
  connected = false;
  resyncing = false;
  readonly views = new Map<string, ViewState>();
  readonly peers = new Map<string, PeerOptions>();

  constructor(readonly id: string, readonly address: string) {}

  routeCount(): number {
    let n = 0;
    for (const v of this.views.values()) n += v.routes.size;
    return n;
  }
}

/** All routers by identity (source address + the router's own BGP ID once known). */
export class CollectorState {
  readonly routers = new Map<string, RouterState>();

  routeCount(): number {
    let n = 0;
    for (const r of this.routers.values()) n += r.routeCount();
    return n;
  }
}
