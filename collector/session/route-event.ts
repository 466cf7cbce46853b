/** Builds the protobuf RouteEvent of one EVPN route change. */
import { RouteAction, type IRouteEvent } from '../../schemas/events.js';
import { Long } from '../../schemas/long.js';
import type { EvpnRoute, PathAttributes, PerPeerHeader } from '../bmp/types.js';
import type { RouterState } from '../state/router-state.js';

export function longOf(v: bigint | number): Long {
  const b = BigInt(v);
  return Long.fromBits(Number(b & 0xffffffffn), Number((b >> 32n) & 0xffffffffn), true);
}

/** The VNI fields: VXLAN carries the VNI in the whole 24-bit label field (RFC 8365 §5.1.3). */
function vnis(route: EvpnRoute, attrs: PathAttributes | undefined): { vni: number; l3Vni: number } {
  switch (route.routeType) {
    case 2:
      return { vni: route.labels[0] ?? 0, l3Vni: route.labels[1] ?? 0 };
    case 3:
      return { vni: attrs?.pmsi?.label ?? route.ethernetTag, l3Vni: 0 };
    case 5:
      return { vni: 0, l3Vni: route.labels[0] ?? 0 };
    default:
      return { vni: route.labels[0] ?? 0, l3Vni: 0 };
  }
}

/**
 * RFC 8365 §5.1.2.1 auto-derived route target: the low 24 bits of a 2-octet-AS RT's local administrator are the VNI.
 * Used when a router's BMP feed carries no label (FRR 8 reports EVPN labels as 0).
 */
export function vniFromRouteTargets(rts: string[]): number {
  for (const rt of rts) {
    const [admin, local] = rt.split(':');
    if (admin && local && !admin.includes('.') && Number(admin) <= 0xffff) {
      const vni = Number(local) & 0xffffff;
      if (vni > 0) return vni;
    }
  }
  return 0;
}

export interface RouteEventContext {
  router: RouterState;
  peer: PerPeerHeader;
  ribView: number;
  tableName: string;
  collectorId: string;
  seq: bigint;
}

export function buildRouteEvent(ctx: RouteEventContext, route: EvpnRoute, action: number, reason: number, attrs: PathAttributes | undefined, nextHop: string, knownVni?: number): IRouteEvent {
  const v = vnis(route, attrs);
  const l3Vni = v.l3Vni;
  // A withdrawal carries no attributes: it reuses the VNI its advertisement had.
  const vni = knownVni ?? (v.vni || (route.routeType === 2 && attrs ? vniFromRouteTargets(attrs.extCommunities.routeTargets) : 0));
  const p = ctx.peer;
  const ev: IRouteEvent = {
    fabric: ctx.router.fabric,
    router: { address: ctx.router.address, sysName: ctx.router.sysName, bgpId: ctx.router.bgpId },
    peer: { type: p.peerType, address: p.address, asn: p.asn, bgpId: p.bgpId, distinguisher: p.distinguisher, ribView: ctx.ribView, tableName: ctx.tableName },
    pathId: route.pathId,
    timestampUs: longOf(p.timestampUs === 0n ? BigInt(Date.now()) * 1000n : p.timestampUs),
    collectorId: ctx.collectorId,
    collectorSeq: longOf(ctx.seq),
    action,
    reason,
    routeType: route.routeType,
    routeKey: route.key,
    rd: route.rd,
    esi: route.esi,
    esiType: route.esiType,
    ethernetTag: route.ethernetTag,
    mac: route.mac,
    ip: route.ip,
    labels: route.labels,
    vni,
    l3Vni,
    mplsLabels: route.labels.map((l) => l >>> 4),
    originatorIp: route.originatorIp,
    ipPrefix: route.prefix,
    gatewayIp: route.gatewayIp,
    rawNlri: route.raw,
    nextHop,
  };
  if (action === RouteAction.ROUTE_ACTION_ADVERTISE && attrs) {
    const x = attrs.extCommunities;
    ev.routeTargets = x.routeTargets;
    if (x.macMobility) {
      ev.hasMacMobility = true;
      ev.macMobilitySeq = x.macMobility.seq;
      ev.sticky = x.macMobility.sticky;
    }
    if (x.esiLabel) {
      ev.hasEsiLabel = true;
      ev.esiLabel = x.esiLabel.label;
      ev.esiSingleActive = x.esiLabel.singleActive;
    }
    ev.esImportRt = x.esImportRt;
    ev.routerMac = x.routerMac;
    ev.defaultGateway = x.defaultGateway;
    ev.encapsulations = x.encapsulations;
    ev.pmsi = attrs.pmsi;
    ev.asPath = attrs.asPath;
    ev.origin = attrs.origin;
    ev.localPref = attrs.localPref;
    ev.med = attrs.med;
    ev.communities = attrs.communities;
    ev.largeCommunities = attrs.largeCommunities;
    ev.originatorId = attrs.originatorId;
    ev.clusterList = attrs.clusterList;
    ev.rawExtCommunities = x.raw.map((r) => ({ type: r.type, value: r.value }));
    ev.rawAttributes = attrs.raw;
  }
  return ev;
}

/** Kafka key: type-2 routes by MAC (one MAC's updates from every fabric share a partition), others by route key. */
export function routeKafkaKey(route: EvpnRoute): string {
  return route.routeType === 2 ? route.mac : route.key;
}

/** What makes two advertisements of one route identical (attributes shared by an UPDATE, per-route fields). */
export function attributesFingerprint(a: PathAttributes): string {
  const x = a.extCommunities;
  return [
    a.nextHop ?? '',
    x.routeTargets.join(','),
    x.macMobility ? `${x.macMobility.seq}${x.macMobility.sticky ? 's' : ''}` : '',
    x.esiLabel ? `${x.esiLabel.label}${x.esiLabel.singleActive ? 's' : ''}` : '',
    x.routerMac ?? '',
    x.defaultGateway ? 'g' : '',
    x.esImportRt ?? '',
    x.encapsulations.join(','),
    a.pmsi ? `${a.pmsi.tunnelType}/${a.pmsi.label}/${a.pmsi.tunnelId}` : '',
    a.asPath.join(' '),
    a.localPref ?? '',
    a.med ?? '',
    a.communities.join(','),
    a.originatorId ?? '',
  ].join('|');
}
