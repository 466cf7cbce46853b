/** Building session events, type-3 routes, alerts and MSK batches of any topic for health-function tests. */
import type { MSKEvent } from 'aws-lambda';
import {
  type IRouteEvent,
  type ISessionEvent,
  type IVtepSample,
  PeerType,
  RibView,
  RouteAction,
  SampleKind,
  SessionEvent,
  SessionEventKind,
  VtepSampleBatch,
} from '../../schemas/events.js';
import { u64 } from '../../schemas/long.js';

let seq = 5_000_000n;
export const nextSeq = () => u64(++seq);

export interface RouterRef {
  fabric: string;
  address?: string;
  bgpId: string;
  sysName?: string;
}

const base = (r: RouterRef, atMs: number): ISessionEvent => ({
  fabric: r.fabric,
  router: { address: r.address ?? '127.0.0.1', bgpId: r.bgpId, sysName: r.sysName ?? 'GoBGP' },
  timestampUs: u64(BigInt(atMs) * 1000n),
  collectorId: 'test',
  collectorSeq: nextSeq(),
});

export function peerUp(r: RouterRef, peer: string, atMs: number, asn = 65000): ISessionEvent {
  return {
    ...base(r, atMs),
    kind: SessionEventKind.SESSION_EVENT_KIND_PEER_UP,
    peer: { type: PeerType.PEER_TYPE_GLOBAL_INSTANCE, address: peer, asn, bgpId: peer },
  };
}

export function peerDown(r: RouterRef, peer: string, atMs: number, o: { reason?: number; code?: number; subcode?: number } = {}): ISessionEvent {
  return {
    ...base(r, atMs),
    kind: SessionEventKind.SESSION_EVENT_KIND_PEER_DOWN,
    peer: { type: PeerType.PEER_TYPE_GLOBAL_INSTANCE, address: peer, asn: 65000, bgpId: peer },
    peerDownReason: o.reason ?? 3,
    notificationCode: o.code ?? 6,
    notificationSubcode: o.subcode ?? 2,
  };
}

export function routerDown(r: RouterRef, atMs: number): ISessionEvent {
  return { ...base(r, atMs), kind: SessionEventKind.SESSION_EVENT_KIND_ROUTER_DOWN, terminationReason: 65535, detail: 'TCP session closed' };
}

/** RFC 7432 §7.3 inclusive multicast Ethernet tag route of `vtep` for `vni`, as `router` reports it. */
export function imetRoute(o: { fabric: string; vtep: string; vni: number; router: string; view?: number; withdraw?: boolean }): IRouteEvent {
  return {
    fabric: o.fabric,
    router: { address: '127.0.0.1', bgpId: o.router },
    peer: { address: '0.0.0.0', ribView: o.view ?? RibView.RIB_VIEW_LOC_RIB },
    collectorSeq: nextSeq(),
    action: o.withdraw ? RouteAction.ROUTE_ACTION_WITHDRAW : RouteAction.ROUTE_ACTION_ADVERTISE,
    routeType: 3,
    routeKey: `3:${o.vtep}:${o.vni}:0:${o.vtep}`,
    rd: `${o.vtep}:${o.vni}`,
    originatorIp: o.vtep,
    vni: o.vni,
    nextHop: o.vtep,
  };
}

export interface RawRecord {
  partition?: number;
  offset: number;
  timestamp: number;
  value: Uint8Array;
  key?: string;
}

/** An MSK event of one topic; records grouped per partition in the given order. */
export function mskEventOf(topic: string, records: RawRecord[]): MSKEvent {
  const out: Record<string, unknown[]> = {};
  for (const r of records) {
    const p = r.partition ?? 0;
    (out[`${topic}-${p}`] ??= []).push({
      topic,
      partition: p,
      offset: r.offset,
      timestamp: r.timestamp,
      timestampType: 'CREATE_TIME',
      key: r.key ? Buffer.from(r.key).toString('base64') : null,
      value: Buffer.from(r.value).toString('base64'),
      headers: [],
    });
  }
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:test', bootstrapServers: 'test', records: out } as unknown as MSKEvent;
}

export const encodeSession = (e: ISessionEvent) => SessionEvent.encode(e).finish();

/** A VXLAN counter sample of the gNMI collector (telemetry.vtep.v1). */
export function counterSample(o: {
  fabric: string;
  device: string;
  vtep?: string;
  name: string;
  value: bigint;
  tsMs: number;
  rxMs?: number;
  vni?: number;
  peer?: string;
}): IVtepSample {
  return {
    fabric: o.fabric,
    device: o.device,
    vtep: o.vtep ?? '',
    vni: o.vni ?? 0,
    peer: o.peer ?? '',
    kind: SampleKind.SAMPLE_KIND_COUNTER,
    name: o.name,
    value: u64(o.value),
    timestampNs: u64(BigInt(o.tsMs) * 1_000_000n),
    receiveTimeNs: u64(BigInt(o.rxMs ?? o.tsMs) * 1_000_000n),
    collectorId: 'test',
    collectorSeq: nextSeq(),
  };
}

export const encodeSamples = (samples: IVtepSample[]) => VtepSampleBatch.encode({ samples }).finish();
