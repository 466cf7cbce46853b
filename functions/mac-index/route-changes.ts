/** From protobuf route events to the MAC index's inputs: type-2 MAC changes and per-ES A-D membership changes. */
import { RouteAction, type RouteEvent } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import type { MacRouteChange } from './apply-events.js';
import { ZERO_ESI } from './location.js';

/** Collector sequences as fixed-width decimal strings: string order = numeric order (DynamoDB compares S too). */
export function ordOf(seq: unknown): string {
  return toBigInt(seq as never)
    .toString()
    .padStart(20, '0');
}

export function routerOf(ev: RouteEvent): string {
  return ev.router?.bgpId ? `${ev.router.address}/${ev.router.bgpId}` : (ev.router?.address ?? '');
}

/** A path is the route as one router learnt it from one peer; its RIB views (pre/post-policy, Loc-RIB) are one path. */
export function pathKeyOf(ev: RouteEvent): string {
  return `${routerOf(ev)}|${ev.peer?.address ?? ''}|${ev.peer?.distinguisher ?? ''}|${ev.peer?.tableName ?? ''}|${ev.pathId}|${ev.routeKey}`;
}

export function macChangeOf(ev: RouteEvent, recordTimestampMs: number): MacRouteChange {
  return {
    mac: ev.mac,
    vni: ev.vni,
    advertise: ev.action === RouteAction.ROUTE_ACTION_ADVERTISE,
    pathKey: pathKeyOf(ev),
    router: routerOf(ev),
    fabric: ev.fabric,
    vtep: ev.nextHop,
    esi: ev.esi || ZERO_ESI,
    seq: ev.hasMacMobility ? ev.macMobilitySeq : 0,
    sticky: ev.hasMacMobility ? ev.sticky : false,
    ip: ev.ip,
    ord: ordOf(ev.collectorSeq),
    atMs: recordTimestampMs,
    routerMs: Number(toBigInt(ev.timestampUs) / 1000n),
  };
}

export interface EsChange {
  esi: string;
  vtep: string;
  active: boolean;
  ord: string;
  atMs: number;
}

/** RFC 7432 §8.2: the per-ES Ethernet A-D route (Ethernet tag MAX-ET) says which VTEPs are attached to a segment. */
export function esChangeOf(ev: RouteEvent, recordTimestampMs: number): EsChange | undefined {
  if (ev.routeType !== 1 || ev.ethernetTag !== 0xffffffff || !ev.esi || ev.esi === ZERO_ESI) return undefined;
  if (!ev.nextHop) return undefined;
  return { esi: ev.esi, vtep: ev.nextHop, active: ev.action === RouteAction.ROUTE_ACTION_ADVERTISE, ord: ordOf(ev.collectorSeq), atMs: recordTimestampMs };
}
