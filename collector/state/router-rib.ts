/**
 * What the collector remembers of one monitored router, and the pure rules that turn its inputs into route changes:
 * no sockets, timers, clocks or Kafka (pg-protocol's Parser kept apart from its connection). The BMP session feeds it
 * decoded messages, with the timestamps it should use, and a sink that publishes the changes it reports.
 *
 * Inputs and what they change:
 *  - UPDATE: advertisements (exact repeats within a session dropped; re-sent after a reconnect: published again, with
 *    the new session's epoch) and withdrawals; a treat-as-withdraw UPDATE (RFC 7606) withdraws
 *    the routes it advertised; an UPDATE whose NLRI cannot be read disables the peer (below); End-of-RIB sweeps;
 *  - Peer Up: the peer's negotiated options, and the end of its AFI/SAFI disable;
 *  - Peer Down: every route of the peer withdrawn;
 *  - session lost: the routes are kept, and become stale when a new session resumes the router;
 *  - End-of-RIB (per view) or the quiet timeout (every view): stale routes not re-sent are withdrawn.
 *
 * AFI/SAFI disable (RFC 7606 §2) is how a BGP speaker survives an UPDATE whose NLRI it cannot read: it drops the
 * family of that peer until the session restarts, since it cannot know which routes the UPDATE changed. A BMP station
 * cannot ask the router for a refresh, so it does the same: it withdraws the peer's EVPN routes and ignores the peer
 * until its next Peer Up (or the router's next BMP session), which re-sends the peer's table.
 *
 * A route's identity is router + peer + RIB view + table name + ADD-PATH path id + NLRI key (RFC 7432 §7 route key).
 * An entry is kept small (a full table is millions of routes): the NLRI bytes as a one-byte-per-char string instead of
 * the decoded route (re-decoded for the rare withdrawal), and a reference to the interned summary of its UPDATE's
 * attributes, which every route of that UPDATE and of UPDATEs with equal attributes share.
 */
import { WithdrawReason } from '../../schemas/events.js';
import { ErrorHandling as EH, type ErrorHandling } from '../bmp/errors.js';
import { decodeEvpnRoute } from '../bmp/evpn/nlri.js';
import { Reader } from '../bmp/reader.js';
import type { EvpnRoute, PerPeerHeader } from '../bmp/types.js';

/** The part of an UPDATE's attributes the RIB needs: an identity (equal keys: equal attributes). */
export interface Attributes {
  readonly key: string;
}

export interface RouteEntry<A extends Attributes> {
  attrs: A;
  /** The route-type-specific NLRI bytes (key fields, ESI, labels) as a latin1 string. */
  nlri: string;
  routeType: number;
  pathId: number;
  /** Router generation (session number) in which the route was last (re-)sent; older = stale. */
  gen: number;
}

export interface ViewState<A extends Attributes> {
  key: string;
  peer: PerPeerHeader;
  ribView: number;
  tableName: string;
  routes: Map<string, RouteEntry<A>>;
  /** The encoded context part of this view's route events, and what it was encoded from (the session's cache). */
  encoded?: { signature: string; bytes: Uint8Array };
}

export interface PeerOptions {
  fourOctetAs: boolean;
  addPath: ReadonlySet<string>;
}

/** Why a peer's UPDATEs are ignored until its next Peer Up. */
export type PeerDisabled = 'afi-safi-disable' | 'session-reset';

/** Where the RIB reports its changes (the session publishes them; tests record them). */
export interface RouteChangeSink<A extends Attributes> {
  advertise(view: ViewState<A>, route: EvpnRoute, attrs: A, timestampUs: bigint): void;
  /** `attrs` are the advertisement's, undefined when the route was not held. */
  withdraw(view: ViewState<A>, route: EvpnRoute, reason: WithdrawReason, attrs: A | undefined, timestampUs: bigint): void;
}

/** One UPDATE as the RIB applies it. */
export interface UpdateInput<A extends Attributes> {
  advertised: readonly EvpnRoute[];
  withdrawn: readonly EvpnRoute[];
  endOfRib?: string;
  /** The strongest RFC 7606 class of the UPDATE's errors. */
  handling?: ErrorHandling;
  /** The advertisements' attributes (needed unless nothing is advertised). */
  attrs?: A;
}

export type UpdateOutcome = 'applied' | 'ignored' | 'disabled';

export function peerKeyOf(peer: Pick<PerPeerHeader, 'address' | 'distinguisher'>): string {
  return `${peer.address}|${peer.distinguisher}`;
}

const entryKeyOf = (route: EvpnRoute) => (route.pathId ? `${route.key}#${route.pathId}` : route.key);

/** The route an entry holds, decoded again from its NLRI bytes (they decoded when they arrived). */
export function routeOfEntry<A extends Attributes>(e: RouteEntry<A>): EvpnRoute {
  const bytes = Buffer.from(e.nlri, 'latin1');
  return decodeEvpnRoute(e.routeType, new Reader(bytes, 0, bytes.length, 'held EVPN route'), e.pathId);
}

export class RouterRib<A extends Attributes> {
  sysName = '';
  sysDescr = '';
  bgpId = '';
  fabric = '';
  /** Session count: bumped when a new session resumes the router, so entries with a lower gen are stale until re-sent. */
  gen = 0;
  connected = false;
  /** A resumed router whose stale routes are not all re-sent or swept yet. */
  resyncing = false;
  readonly views = new Map<string, ViewState<A>>();
  readonly peers = new Map<string, PeerOptions & { disabled?: PeerDisabled }>();
  /** Exact repeats dropped since the last takeRepeats() (the shell counts them). */
  private repeats = 0;

  constructor(
    public id: string,
    readonly address: string,
  ) {}

  routeCount(): number {
    let n = 0;
    for (const v of this.views.values()) n += v.routes.size;
    return n;
  }

  takeRepeats(): number {
    const n = this.repeats;
    this.repeats = 0;
    return n;
  }

  staleCount(): number {
    let n = 0;
    for (const v of this.views.values()) for (const e of v.routes.values()) if (e.gen < this.gen) n++;
    return n;
  }

  /** The view a per-peer header reports (created on first use); its header is kept as the latest. */
  view(peer: PerPeerHeader, ribView: number, tableName: string): ViewState<A> {
    const key = `${peer.address}|${peer.distinguisher}|${ribView}|${tableName}`;
    let v = this.views.get(key);
    if (!v) this.views.set(key, (v = { key, peer, ribView, tableName, routes: new Map() }));
    else v.peer = peer;
    return v;
  }

  peerOptions(peer: PerPeerHeader): PeerOptions | undefined {
    return this.peers.get(peerKeyOf(peer));
  }

  disabled(peer: PerPeerHeader): PeerDisabled | undefined {
    return this.peers.get(peerKeyOf(peer))?.disabled;
  }

  /** Peer Up: its options, and a fresh start after an AFI/SAFI disable (the router re-sends the peer's table). */
  peerUp(peer: PerPeerHeader, options: PeerOptions): void {
    this.peers.set(peerKeyOf(peer), { ...options });
  }

  /** Peer Down (RFC 7854 §4.9): every route of the peer, in every view (of that table, for a Loc-RIB peer), is gone. */
  peerDown(peer: PerPeerHeader, tableName: string | undefined, locRib: boolean, timestampUs: bigint, out: RouteChangeSink<A>): number {
    const pk = peerKeyOf(peer);
    this.peers.delete(pk);
    let n = 0;
    for (const [key, view] of this.views) {
      if (peerKeyOf(view.peer) !== pk) continue;
      if (tableName !== undefined && locRib && view.tableName !== tableName) continue;
      n += this.withdrawWhere(view, WithdrawReason.WITHDRAW_REASON_PEER_DOWN, () => true, timestampUs, out);
      this.views.delete(key);
    }
    return n;
  }

  /** Applies one UPDATE of a view. */
  update(view: ViewState<A>, u: UpdateInput<A>, timestampUs: bigint, out: RouteChangeSink<A>): UpdateOutcome {
    const pk = peerKeyOf(view.peer);
    if (this.peers.get(pk)?.disabled) return 'ignored';
    if (u.handling === EH.AfiSafiDisable || u.handling === EH.SessionReset) {
      // The withdrawals that did parse are honoured first, then the peer's routes go (RFC 7606 §2, §5.2).
      this.withdrawRoutes(view, u.withdrawn, WithdrawReason.WITHDRAW_REASON_EXPLICIT, timestampUs, out);
      this.disablePeer(view.peer, u.handling === EH.SessionReset ? 'session-reset' : 'afi-safi-disable', timestampUs, out);
      return 'disabled';
    }
    if (u.handling === EH.TreatAsWithdraw) this.withdrawRoutes(view, u.advertised, WithdrawReason.WITHDRAW_REASON_TREAT_AS_WITHDRAW, timestampUs, out);
    else if (u.advertised.length > 0) {
      const attrs = u.attrs;
      if (!attrs) throw new TypeError('an UPDATE that advertises routes needs its attributes');
      const gen = this.gen;
      for (const route of u.advertised) {
        const key = entryKeyOf(route);
        const nlri = route.nlri.toString('latin1');
        const held = view.routes.get(key);
        if (held && held.gen === gen && (held.attrs === attrs || held.attrs.key === attrs.key) && held.nlri === nlri) {
          this.repeats++; // an exact repeat within the session: nothing to publish
          continue;
        }
        // A route re-sent after a reconnect is published again, even unchanged: it carries the new session's epoch, so
        // the index does not take it for a path of an older epoch when the resync completes.
        view.routes.set(key, { attrs, nlri, routeType: route.routeType, pathId: route.pathId, gen });
        out.advertise(view, route, attrs, timestampUs);
      }
    }
    this.withdrawRoutes(view, u.withdrawn, WithdrawReason.WITHDRAW_REASON_EXPLICIT, timestampUs, out);
    if (this.resyncing && u.endOfRib) this.sweep((v) => v === view, timestampUs, out);
    return 'applied';
  }

  /** RFC 7606 AFI/SAFI disable (or session reset) of one peer: its routes withdrawn, its UPDATEs ignored until Peer Up. */
  disablePeer(peer: PerPeerHeader, why: PeerDisabled, timestampUs: bigint, out: RouteChangeSink<A>): number {
    const pk = peerKeyOf(peer);
    const st = this.peers.get(pk);
    this.peers.set(pk, { fourOctetAs: st?.fourOctetAs ?? true, addPath: st?.addPath ?? new Set(), disabled: why });
    let n = 0;
    for (const view of this.views.values()) {
      if (peerKeyOf(view.peer) === pk) n += this.withdrawWhere(view, WithdrawReason.WITHDRAW_REASON_AFI_SAFI_DISABLED, () => true, timestampUs, out);
    }
    return n;
  }

  /** The BMP session ended: the routes stay (a reconnect re-sends them), nothing is withdrawn. */
  sessionLost(): void {
    this.connected = false;
  }

  /**
   * A new session took the router over (after a loss, or while the old one still looked alive): every route held
   * becomes stale until re-sent, and peers start afresh (their Peer Ups come again).
   */
  resume(): void {
    this.gen++;
    this.connected = true;
    for (const p of this.peers.values()) p.disabled = undefined;
    this.resyncing = this.routeCount() > 0;
  }

  /** Withdraws the stale routes of the selected views; returns true when that completed the resync. */
  sweep(select: (v: ViewState<A>) => boolean, timestampUs: bigint, out: RouteChangeSink<A>): boolean {
    if (!this.resyncing) return false;
    const gen = this.gen;
    for (const view of this.views.values()) {
      if (select(view)) this.withdrawWhere(view, WithdrawReason.WITHDRAW_REASON_RESYNC_STALE, (e) => e.gen < gen, timestampUs, out);
    }
    if (this.staleCount() > 0) return false;
    this.resyncing = false;
    return true;
  }

  private withdrawRoutes(view: ViewState<A>, routes: readonly EvpnRoute[], reason: WithdrawReason, timestampUs: bigint, out: RouteChangeSink<A>): void {
    for (const route of routes) {
      const key = entryKeyOf(route);
      const held = view.routes.get(key);
      view.routes.delete(key);
      // A withdrawal of a route this collector never saw (e.g. it restarted) is still published: the index may know it.
      out.withdraw(view, held ? routeOfEntry(held) : route, reason, held?.attrs, timestampUs);
    }
  }

  private withdrawWhere(
    view: ViewState<A>,
    reason: WithdrawReason,
    which: (e: RouteEntry<A>) => boolean,
    timestampUs: bigint,
    out: RouteChangeSink<A>,
  ): number {
    let n = 0;
    for (const [k, e] of view.routes) {
      if (!which(e)) continue;
      view.routes.delete(k);
      out.withdraw(view, routeOfEntry(e), reason, e.attrs, timestampUs);
      n++;
    }
    return n;
  }
}
