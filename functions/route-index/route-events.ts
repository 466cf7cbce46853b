/**
 * From protobuf route events to the route index's changes: type 1 and 4 routes of a multi-homed ESI (segment items),
 * type 5 routes (prefix items). Event order and path identity are the MAC index's (ordOf, pathKeyOf in
 * functions/shared/route-records.ts).
 */
import { isMultiHomedEsi } from '../../schemas/ethernet-segment.js';
import { RouteAction, type RouteEvent } from '../../schemas/events.js';
import type { RouteAttrs } from '../../schemas/tables/route-index-items.js';
import { routeIndexKeys } from '../../schemas/tables/route-index-items.js';
import { dfAlgorithmOf } from '../shared/route-index/df-election.js';
import { parsePrefix } from '../shared/route-index/ip-prefix.js';
import type { PathChange } from '../shared/route-index/route-paths.js';
import { ordOf, pathKeyOf, routerOf } from '../shared/route-records.js';

export type RouteIndexChange =
  | { kind: 'mac'; key: { pk: string; sk: string }; esi: string; mac: string; segment: string; change: PathChange }
  | {
      kind: 'segment';
      key: { pk: string; sk: string };
      esi: string;
      routeType: 1 | 4;
      ethernetTag: number;
      rd: string;
      originator?: string;
      change: PathChange;
    }
  | {
      kind: 'prefix';
      key: { pk: string; sk: string };
      vrf: string;
      prefix: string;
      family: 4 | 6;
      len: number;
      l3Vni?: number;
      routeTarget?: string;
      change: PathChange;
    };

/**
 * The IP-VRF of a type-5 route: its L3 VNI with VXLAN (the label field, RFC 9136 §3.1 / RFC 8365 §5.1.3), else the
 * route target naming it (the collector's `evi` for a route without a VNI, or the first route target).
 */
export function vrfOf(ev: Pick<RouteEvent, 'l3Vni' | 'evi' | 'routeTargets'>): { vrf: string; l3Vni?: number; routeTarget?: string } | undefined {
  if (ev.l3Vni > 0) return { vrf: String(ev.l3Vni), l3Vni: ev.l3Vni };
  const rt = ev.evi || ev.routeTargets?.[0];
  return rt ? { vrf: rt, routeTarget: rt } : undefined;
}

export function routeIndexChangeOf(ev: RouteEvent, recordTimestampMs: number): RouteIndexChange | undefined {
  const advertise = ev.action === RouteAction.ROUTE_ACTION_ADVERTISE;
  const base = {
    pathKey: pathKeyOf(ev),
    router: routerOf(ev),
    fabric: ev.fabric,
    advertise,
    ord: ordOf(ev.collectorSeq, ev.sessionEpoch),
    atMs: recordTimestampMs,
  };
  if ((ev.routeType === 1 || ev.routeType === 4) && isMultiHomedEsi(ev.esi)) {
    const attrs: RouteAttrs | undefined = advertise
      ? {
          vtep: ev.routeType === 4 ? ev.originatorIp || ev.nextHop : ev.nextHop,
          rd: ev.rd,
          ...(ev.hasEsiLabel ? { esiLabel: ev.esiLabel, singleActive: ev.esiSingleActive } : {}),
          ...(ev.routeType === 4 ? { dfAlg: dfAlgorithmOf((ev.rawExtCommunities ?? []) as { type: number; value: Uint8Array }[]) } : {}),
          ...(ev.vni ? { vni: ev.vni } : {}),
          ...(ev.routeTargets?.length ? { routeTargets: [...ev.routeTargets] } : {}),
        }
      : undefined;
    if (attrs?.dfAlg === undefined) delete attrs?.dfAlg;
    if (advertise && !attrs?.vtep) return undefined; // no next hop: no member to name
    return {
      kind: 'segment',
      key: routeIndexKeys.segmentRoute(ev.esi, ev.routeKey),
      esi: ev.esi,
      routeType: ev.routeType,
      ethernetTag: ev.ethernetTag,
      rd: ev.rd,
      ...(ev.routeType === 4 && ev.originatorIp ? { originator: ev.originatorIp } : {}),
      change: { ...base, ...(attrs ? { attrs } : {}) },
    };
  }
  // A MAC behind a multi-homed segment: which members advertise it (the ESI is in the type-2 NLRI, withdrawals too).
  if (ev.routeType === 2 && ev.mac && isMultiHomedEsi(ev.esi)) {
    const segment = ev.vni > 0 ? `VNI#${ev.vni}` : ev.evi ? `EVI#${ev.evi}` : undefined;
    if (!segment || (advertise && !ev.nextHop)) return undefined;
    return {
      kind: 'mac',
      key: routeIndexKeys.segmentMac(ev.esi, ev.mac, segment),
      esi: ev.esi,
      mac: ev.mac,
      segment,
      change: { ...base, ...(advertise ? { attrs: { vtep: ev.nextHop } } : {}) },
    };
  }
  if (ev.routeType === 5 && ev.ipPrefix) {
    const vrf = vrfOf(ev);
    if (!vrf) return undefined;
    let p: ReturnType<typeof parsePrefix>;
    try {
      p = parsePrefix(ev.ipPrefix);
    } catch {
      return undefined;
    }
    const attrs: RouteAttrs | undefined = advertise
      ? {
          vtep: ev.nextHop,
          rd: ev.rd,
          ...(ev.gatewayIp && ev.gatewayIp !== '0.0.0.0' && ev.gatewayIp !== '::' ? { gatewayIp: ev.gatewayIp } : {}),
          ...(ev.routerMac ? { routerMac: ev.routerMac } : {}),
          ...(isMultiHomedEsi(ev.esi) ? { esi: ev.esi } : {}),
          ...(ev.routeTargets?.length ? { routeTargets: [...ev.routeTargets] } : {}),
        }
      : undefined;
    return {
      kind: 'prefix',
      key: routeIndexKeys.prefix(vrf.vrf, p.text),
      vrf: vrf.vrf,
      prefix: p.text,
      family: p.family,
      len: p.len,
      ...(vrf.l3Vni ? { l3Vni: vrf.l3Vni } : {}),
      ...(vrf.routeTarget ? { routeTarget: vrf.routeTarget } : {}),
      change: { ...base, ...(attrs ? { attrs } : {}) },
    };
  }
  return undefined;
}
