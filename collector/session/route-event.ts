/**
 * The protobuf RouteEvent of one EVPN route change, built in three parts that are encoded separately and concatenated
 * (protobuf messages concatenate: every field sits in exactly one part, so the bytes decode to the same event):
 *  - the context (fabric, router, peer, collector): the same for every route of a RIB view, encoded once per view;
 *  - the path attributes: the same for every route of an UPDATE, encoded once per UPDATE (advertisements only);
 *  - the route's own fields, encoded per route.
 * `buildRouteEvent` merges the three as one object: the reference the encoder is tested against.
 */
import { type IRouteEvent, RouteAction, RouteEvent } from '../../schemas/events.js';
import { Long } from '../../schemas/long.js';
import { EvpnRouteType } from '../bmp/evpn/evpn-codes.js';
import type { EvpnRoute, PathAttributes, PerPeerHeader } from '../bmp/types.js';
import { type AttributeSummary, labelsOf } from './route-labels.js';

export function longOf(v: bigint | number): Long {
  const b = BigInt(v);
  return Long.fromBits(Number(b & 0xffffffffn), Number((b >> 32n) & 0xffffffffn), true);
}

/** The router an event is about, as the session knows it. */
export interface RouterIdentity {
  fabric: string;
  address: string;
  sysName: string;
  bgpId: string;
}

export interface RouteEventContext {
  router: RouterIdentity;
  peer: PerPeerHeader;
  ribView: number;
  tableName: string;
  collectorId: string;
  /** The BMP session's epoch (0n: none): the index orders a path's events by (epoch, sequence). */
  sessionEpoch: bigint;
}

/** Per-route fields that do not come from the NLRI or the attributes. */
export interface RouteEventStamp {
  action: number;
  reason: number;
  nextHop: string;
  /** Collector sequence number of this event. */
  seq: bigint;
  /** The per-peer header timestamp (µs), or the collector's time when the router sent zero. */
  timestampUs: bigint;
  /** How the route's labels are read: its UPDATE's (for a withdrawal, its advertisement's) attribute summary. */
  attrs: AttributeSummary;
}

/** The fields shared by every route of one RIB view. */
export function contextFields(ctx: RouteEventContext): IRouteEvent {
  const p = ctx.peer;
  return {
    fabric: ctx.router.fabric,
    router: { address: ctx.router.address, sysName: ctx.router.sysName, bgpId: ctx.router.bgpId },
    peer: { type: p.peerType, address: p.address, asn: p.asn, bgpId: p.bgpId, distinguisher: p.distinguisher, ribView: ctx.ribView, tableName: ctx.tableName },
    collectorId: ctx.collectorId,
    ...(ctx.sessionEpoch > 0n ? { sessionEpoch: longOf(ctx.sessionEpoch) } : {}),
  };
}

/** Identity of `contextFields`' input: the cached context bytes are reused while it is unchanged. */
export function contextSignature(ctx: RouteEventContext): string {
  const p = ctx.peer;
  return `${ctx.router.fabric}|${ctx.router.address}|${ctx.router.sysName}|${ctx.router.bgpId}|${p.peerType}|${p.address}|${p.asn}|${p.bgpId}|${p.distinguisher}|${ctx.ribView}|${ctx.tableName}|${ctx.collectorId}|${ctx.sessionEpoch}`;
}

/** The path attribute fields of an advertisement, shared by every route of its UPDATE. */
export function attributeFields(attrs: PathAttributes): IRouteEvent {
  const x = attrs.extCommunities;
  const ev: IRouteEvent = {
    routeTargets: x.routeTargets,
    esImportRt: x.esImportRt,
    routerMac: x.routerMac,
    defaultGateway: x.defaultGateway,
    encapsulations: x.encapsulations,
    pmsi: attrs.pmsi,
    asPath: attrs.asPath,
    origin: attrs.origin,
    localPref: attrs.localPref,
    med: attrs.med,
    communities: attrs.communities,
    largeCommunities: attrs.largeCommunities,
    originatorId: attrs.originatorId,
    clusterList: attrs.clusterList,
    rawExtCommunities: x.raw.map((r) => ({ type: r.type, value: r.value })),
    rawAttributes: attrs.raw,
  };
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
  return ev;
}

/** The route's own fields (NLRI, action, sequence, timestamp, next hop, VNIs), as RoutePartEncoder writes them. */
export function routeFields(route: EvpnRoute, s: RouteEventStamp): IRouteEvent {
  const l = labelsOf(route, s.attrs);
  return {
    pathId: route.pathId,
    timestampUs: longOf(s.timestampUs),
    collectorSeq: longOf(s.seq),
    action: s.action,
    reason: s.reason,
    routeType: route.routeType,
    routeKey: route.key,
    rd: route.rd,
    esi: route.esi,
    esiType: route.esiType,
    ethernetTag: route.ethernetTag,
    mac: route.mac,
    ip: route.ip,
    labels: route.labels,
    vni: l.vni,
    l3Vni: l.l3Vni,
    mplsLabels: l.mplsLabels,
    originatorIp: route.originatorIp,
    ipPrefix: route.prefix,
    gatewayIp: route.gatewayIp,
    rawNlri: route.raw,
    encapsulation: l.encapsulation,
    vniSource: l.vniSource,
    srv6Sid: l.srv6Sid,
    evi: l.evi,
    nextHop: s.nextHop,
  };
}

/** The whole event as one object (attributes only for an advertisement). */
export function buildRouteEvent(ctx: RouteEventContext, route: EvpnRoute, s: RouteEventStamp, attrs: PathAttributes | undefined): IRouteEvent {
  const withAttrs = s.action === RouteAction.ROUTE_ACTION_ADVERTISE && attrs;
  return { ...contextFields(ctx), ...(withAttrs ? attributeFields(attrs) : {}), ...routeFields(route, s) };
}

export function encodeFields(fields: IRouteEvent): Uint8Array {
  return RouteEvent.encode(fields).finish();
}

/** Concatenates encoded parts into one RouteEvent. */
export function joinParts(context: Uint8Array, attributes: Uint8Array | undefined, route: Uint8Array): Buffer {
  const n = context.length + (attributes?.length ?? 0) + route.length;
  const out = Buffer.allocUnsafe(n);
  out.set(context, 0);
  let off = context.length;
  if (attributes) {
    out.set(attributes, off);
    off += attributes.length;
  }
  out.set(route, off);
  return out;
}

/** Kafka key: type-2 routes by MAC (one MAC's updates from every fabric share a partition), others by route key. */
export function routeKafkaKey(route: EvpnRoute): string {
  return route.routeType === EvpnRouteType.MacIpAdvertisement ? route.mac : route.key;
}
