/**
 * The records the route-consuming functions (the MAC index, the route index, the health function) read from
 * `evpn.routes.v1` and `evpn.sessions.v1`, decoded in one place; a record that does not decode goes the one
 * skip-and-log path (./skip-undecodable.ts).
 */
import type { Logger } from 'pino';
import { type RouteEvent, RouteEventBatch, SessionEvent, SessionEventKind } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import { TOPICS } from '../../schemas/topics.js';
import type { DecodedRecord } from './msk.js';
import { logUndecodable } from './skip-undecodable.js';

export type RouteRecord =
  /** A RouteEventBatch: the events of one partition, in order. */
  | { kind: 'routes'; events: RouteEvent[] }
  /** A session event; `resync` when it completes a router's resync (its paths of older epochs are gone). */
  | { kind: 'session'; event: SessionEvent; resync?: { router: string; epoch: bigint } }
  /** A record of either topic that does not decode (logged here). */
  | { kind: 'undecodable'; of: 'routes' | 'sessions' }
  /** A record of another topic. */
  | { kind: 'other' };

const isSessions = (topic: string) => topic === TOPICS.sessions || topic.endsWith('sessions');
const isRoutes = (topic: string) => topic === TOPICS.routes || topic.endsWith('routes');

const pad20 = (v: unknown) =>
  toBigInt(v as never)
    .toString()
    .padStart(20, '0');

/**
 * The order of a path's events as a string whose string order is the event order (DynamoDB compares S too): an event
 * with a session epoch is `E<epoch>.<seq>` (fixed widths), one without (before epochs existed) its collector sequence
 * alone. 'E' sorts after every digit, so any event of an epoch is newer than every event without one.
 */
export function ordOf(seq: unknown, epoch?: unknown): string {
  const e = epoch === undefined || epoch === null ? 0n : toBigInt(epoch as never);
  return e > 0n ? `E${pad20(e)}.${pad20(seq)}` : pad20(seq);
}

/** A router as the index keys it: source address and BGP ID (RFC 7854 §4.2 per-peer header of the router itself). */
export function routerOf(ev: Pick<RouteEvent, 'router'>): string {
  return ev.router?.bgpId ? `${ev.router.address}/${ev.router.bgpId}` : (ev.router?.address ?? '');
}

/** A path is the route as one router learnt it from one peer; its RIB views (pre/post-policy, Loc-RIB) are one path. */
export function pathKeyOf(ev: RouteEvent): string {
  return `${routerOf(ev)}|${ev.peer?.address ?? ''}|${ev.peer?.distinguisher ?? ''}|${ev.peer?.tableName ?? ''}|${ev.pathId}|${ev.routeKey}`;
}

export function readRouteRecord(rec: DecodedRecord<Uint8Array>, log: Logger): RouteRecord {
  const sessions = isSessions(rec.topic);
  if (!sessions && !isRoutes(rec.topic)) return { kind: 'other' };
  try {
    if (!sessions) return { kind: 'routes', events: RouteEventBatch.decode(rec.value).events as RouteEvent[] };
    const s = SessionEvent.decode(rec.value);
    const epoch = toBigInt(s.sessionEpoch as never);
    const resync =
      s.kind === SessionEventKind.SESSION_EVENT_KIND_RESYNC_COMPLETE && epoch > 0n && s.router?.address ? { router: routerOf(s as never), epoch } : undefined;
    return { kind: 'session', event: s, resync };
  } catch (err) {
    logUndecodable(log, rec, sessions ? 'a session event' : 'a route event record', err);
    return { kind: 'undecodable', of: sessions ? 'sessions' : 'routes' };
  }
}
