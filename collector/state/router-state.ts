/**
 * What the collector remembers per monitored router: for every (peer, RIB view, table) the routes it currently holds,
 * so that exact repeats are dropped, a Peer Down can withdraw the peer's routes, and a reconnect can withdraw what was
 * not re-sent. A route's identity is router + peer + RIB view + table name + ADD-PATH path id + NLRI key (RFC 7432 §7
 * route key).
 *
 * An entry is kept small (a full table is millions of routes): the NLRI bytes as a one-byte-per-char string instead of
 * the decoded route (re-decoded for the rare withdrawal event), and the attribute fingerprint interned so that the
 * routes of one UPDATE, and UPDATEs with equal attributes, share one string.
 */
import type { PerPeerHeader } from '../bmp/types.js';

export interface RouteEntry {
  /** Fingerprint of the advertisement's attributes (interned). With equal `nlri`, equal = exact repeat. */
  attrs: string;
  /** The route-type-specific NLRI bytes (key fields, ESI, labels) as a latin1 string. */
  nlri: string;
  routeType: number;
  pathId: number;
  nextHop: string;
  /** The VNI published with the advertisement (labels, or route targets when a router sends no label). */
  vni: number;
  /** Router generation (connection number) in which the route was last (re-)sent; older = stale. */
  gen: number;
}

export interface ViewState {
  key: string;
  peer: PerPeerHeader;
  ribView: number;
  tableName: string;
  routes: Map<string, RouteEntry>;
  /** The encoded context part of this view's route events, and what it was encoded from. */
  encoded?: { signature: string; bytes: Uint8Array };
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

  constructor(
    readonly id: string,
    readonly address: string,
  ) {}

  routeCount(): number {
    let n = 0;
    for (const v of this.views.values()) n += v.routes.size;
    return n;
  }
}

/** All routers by identity (source address + the router's own BGP ID once known). */
export class CollectorState {
  readonly routers = new Map<string, RouterState>();
  /** Attribute fingerprints, interned (bounded: when full it starts over, which only costs sharing). */
  private readonly fingerprints = new Map<string, string>();

  routeCount(): number {
    let n = 0;
    for (const r of this.routers.values()) n += r.routeCount();
    return n;
  }

  intern(fp: string): string {
    const known = this.fingerprints.get(fp);
    if (known !== undefined) return known;
    if (this.fingerprints.size >= 100_000) this.fingerprints.clear();
    this.fingerprints.set(fp, fp);
    return fp;
  }
}
