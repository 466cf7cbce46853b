/** From protobuf route events to the MAC index's inputs: type-2 MAC changes and per-ES A-D membership changes. */
import { isMultiHomedEsi, ZERO_ESI } from '../../schemas/ethernet-segment.js';
import { RouteAction, type RouteEvent } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import type { Segment } from '../../schemas/tables/index.js';
import { ordOf, pathKeyOf, routerOf } from '../shared/route-records.js';

export { ordOf };

import type { MacRouteChange } from './apply-events.js';

/** The epoch part of an ord ('' for an event without one). */
export function epochOfOrd(ord: string): string {
  return ord.startsWith('E') ? ord.slice(1, 21) : '';
}

/** The lowest ord of an epoch: every event of that epoch is newer, every event of an older one is not. */
export function epochFloor(epoch: bigint): string {
  return ordOf(0n, epoch);
}

/**
 * The segment a route event's MAC is indexed in: its VNI when it has one (VXLAN), else its EVI (the route target the
 * collector names for routes without a VNI: MPLS, SRv6). Neither (a withdrawal of a route the collector never held,
 * with no VNI in its label) cannot be placed: undefined.
 */
export function segmentOf(ev: Pick<RouteEvent, 'vni' | 'evi'>): Segment | undefined {
  if (ev.vni > 0) return { vni: ev.vni };
  if (ev.evi) return { vni: 0, evi: ev.evi };
  return undefined;
}

export function macChangeOf(ev: RouteEvent, recordTimestampMs: number): MacRouteChange | undefined {
  const segment = segmentOf(ev);
  if (!segment) return undefined;
  return {
    mac: ev.mac,
    ...segment,
    advertise: ev.action === RouteAction.ROUTE_ACTION_ADVERTISE,
    pathKey: pathKeyOf(ev),
    router: routerOf(ev),
    fabric: ev.fabric,
    vtep: ev.nextHop,
    esi: ev.esi || ZERO_ESI,
    seq: ev.hasMacMobility ? ev.macMobilitySeq : 0,
    sticky: ev.hasMacMobility ? ev.sticky : false,
    ip: ev.ip,
    ord: ordOf(ev.collectorSeq, ev.sessionEpoch),
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
  if (ev.routeType !== 1 || ev.ethernetTag !== 0xffffffff || !isMultiHomedEsi(ev.esi)) return undefined;
  if (!ev.nextHop) return undefined;
  return {
    esi: ev.esi,
    vtep: ev.nextHop,
    active: ev.action === RouteAction.ROUTE_ACTION_ADVERTISE,
    ord: ordOf(ev.collectorSeq, ev.sessionEpoch),
    atMs: recordTimestampMs,
  };
}
