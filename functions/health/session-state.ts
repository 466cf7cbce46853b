/**
 * BMP routers and the BGP sessions they report, from evpn.sessions.v1 (keyed by router address: a router's events
 * arrive in order). A router is named as the collector names it once its BGP ID is known (`address/bgp-id`); events
 * sent before that (the Initiation's Router Up, FRR's first Peer Downs) cannot be told apart by address alone when
 * several routers share one, so they wait for the router's first identified event.
 */
import { PeerType, type SessionEvent, SessionEventKind } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import { healthKeys, type RouterItem, type SessionItem } from '../../schemas/tables/index.js';
import { ordOf, routerIdOf } from './route-presence.js';

/** RFC 7854 §4.9 Peer Down reason codes (and RFC 9069 §4.1's 6). */
export const PEER_DOWN_REASONS: Record<number, string> = {
  1: 'local system closed the session (NOTIFICATION sent)',
  2: 'local system closed the session (no NOTIFICATION)',
  3: 'remote system closed the session (NOTIFICATION received)',
  4: 'remote system closed the session (no data)',
  5: 'peer de-configured',
  6: 'Loc-RIB no longer monitored',
};

/** RFC 4271 §4.5 NOTIFICATION error codes; RFC 4486 Cease subcodes. */
export const NOTIFICATION_CODES: Record<number, string> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
};
export const CEASE_SUBCODES: Record<number, string> = {
  1: 'Maximum Number of Prefixes Reached',
  2: 'Administrative Shutdown',
  3: 'Peer De-configured',
  4: 'Administrative Reset',
  5: 'Connection Rejected',
  6: 'Other Configuration Change',
  7: 'Connection Collision Resolution',
  8: 'Out of Resources',
  9: 'Hard Reset',
  10: 'BFD Down',
};

/** RFC 7854 §4.5 Termination reasons; 65535 is the collector's own "TCP session lost". */
export const TERMINATION_REASONS: Record<number, string> = {
  0: 'administratively closed',
  1: 'unspecified reason',
  2: 'out of resources',
  3: 'redundant connection',
  4: 'permanently administratively closed',
  65535: 'TCP session lost',
};

export function peerDownReason(ev: Pick<SessionEvent, 'peerDownReason' | 'notificationCode' | 'notificationSubcode' | 'detail'>): string {
  const base = PEER_DOWN_REASONS[ev.peerDownReason] ?? `Peer Down reason ${ev.peerDownReason}`;
  if (ev.notificationCode) {
    const code = NOTIFICATION_CODES[ev.notificationCode] ?? `error ${ev.notificationCode}`;
    const sub = ev.notificationCode === 6 ? CEASE_SUBCODES[ev.notificationSubcode] : undefined;
    return `${base}: ${code}${sub ? ` / ${sub}` : ev.notificationSubcode ? ` subcode ${ev.notificationSubcode}` : ''}`;
  }
  return ev.detail ? `${base}: ${ev.detail}` : base;
}

export interface SessionState {
  routers: Map<string, RouterItem>;
  sessions: Map<string, SessionItem>;
  /** Keys of the items this batch changed. */
  dirty: Set<string>;
  /** Fabrics whose routers or sessions changed. */
  fabrics: Set<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();
export const itemKey = (k: { pk: string; sk: string }) => `${k.pk}|${k.sk}`;

/** The items an event touches (to read them before applying), or none when it cannot be attributed yet. */
export function sessionKeysOf(ev: SessionEvent): { pk: string; sk: string }[] {
  if (!ev.router?.bgpId || !ev.fabric) return [];
  const router = routerIdOf(ev.router);
  const out = [healthKeys.router(ev.fabric, router)];
  const peer = ev.peer;
  if (
    peer &&
    peer.type !== PeerType.PEER_TYPE_LOC_RIB_INSTANCE &&
    (ev.kind === SessionEventKind.SESSION_EVENT_KIND_PEER_UP || ev.kind === SessionEventKind.SESSION_EVENT_KIND_PEER_DOWN)
  )
    out.push(healthKeys.session(ev.fabric, router, peer.address ?? '', peer.distinguisher ?? ''));
  return out;
}

/** Applies one event (in its partition's order) to the routers and sessions read for the batch. */
export function applySessionEvent(state: SessionState, ev: SessionEvent, recordMs: number): void {
  const keysOf = sessionKeysOf(ev);
  if (keysOf.length === 0) return;
  const ord = ordOf(ev.collectorSeq);
  const atMs = Number(toBigInt(ev.timestampUs) / 1000n) || recordMs;
  const router = routerIdOf(ev.router);
  const rKey = itemKey(keysOf[0]!);
  const prev = state.routers.get(rKey);
  if (prev && ord <= prev.ord) return; // a replay
  const r: RouterItem = prev
    ? { ...prev }
    : {
        ...keysOf[0]!,
        fabric: ev.fabric,
        router,
        address: ev.router?.address ?? '',
        bgpId: ev.router?.bgpId ?? '',
        sysName: '',
        connected: false,
        since: iso(atMs),
        detail: '',
        ord,
      };
  const wasConnected = prev?.connected ?? false;
  r.ord = ord;
  r.sysName = ev.router?.sysName || r.sysName;
  if (ev.kind === SessionEventKind.SESSION_EVENT_KIND_ROUTER_DOWN) {
    r.connected = false;
    r.detail = ev.detail || TERMINATION_REASONS[ev.terminationReason] || `Termination reason ${ev.terminationReason}`;
    if (wasConnected || !prev) r.since = iso(atMs);
  } else {
    r.connected = true;
    r.detail = '';
    if (!wasConnected) r.since = iso(atMs);
  }
  if (!prev || prev.connected !== r.connected || prev.since !== r.since || prev.sysName !== r.sysName) {
    state.dirty.add(rKey);
    state.fabrics.add(ev.fabric);
  }
  state.routers.set(rKey, r);

  const sk = keysOf[1];
  if (!sk || !ev.peer) return;
  const sKey = itemKey(sk);
  const sp = state.sessions.get(sKey);
  const up = ev.kind === SessionEventKind.SESSION_EVENT_KIND_PEER_UP;
  const s: SessionItem = sp
    ? { ...sp }
    : {
        ...sk,
        fabric: ev.fabric,
        router,
        peer: ev.peer.address ?? '',
        peerAsn: ev.peer.asn ?? 0,
        peerBgpId: ev.peer.bgpId ?? '',
        rd: ev.peer.distinguisher ?? '',
        up,
        since: iso(atMs),
        reason: '',
        ord,
      };
  s.ord = ord;
  if (ev.peer.asn) s.peerAsn = ev.peer.asn;
  if (ev.peer.bgpId && ev.peer.bgpId !== '0.0.0.0') s.peerBgpId = ev.peer.bgpId;
  if (sp && sp.up !== up) s.since = iso(atMs);
  s.up = up;
  s.reason = up ? '' : peerDownReason(ev);
  if (!sp || sp.up !== s.up || sp.reason !== s.reason || sp.peerAsn !== s.peerAsn || sp.peerBgpId !== s.peerBgpId) {
    state.dirty.add(sKey);
    state.fabrics.add(ev.fabric);
  }
  state.sessions.set(sKey, s);
}
