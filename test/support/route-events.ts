/** Building protobuf route events and MSK batches for function tests, as the collector would publish them. */
import type { MSKEvent } from 'aws-lambda';
import { ZERO_ESI } from '../../schemas/ethernet-segment.js';
import { type IRouteEvent, RibView, RouteAction, RouteEventBatch, WithdrawReason } from '../../schemas/events.js';
import { u64 } from '../../schemas/long.js';
import { TOPICS } from '../../schemas/topics.js';

/** Where the MAC-index property tests put a MAC: a single-homed VTEP, two VTEPs of one segment, a VTEP in another fabric. */
export const PROPERTY_VTEPS = [
  { vtep: '10.1.0.1', fabric: 'dc1', esi: ZERO_ESI },
  { vtep: '10.1.0.2', fabric: 'dc1', esi: '00:22:22:22:22:22:22:22:22:22' },
  { vtep: '10.1.0.3', fabric: 'dc1', esi: '00:22:22:22:22:22:22:22:22:22' },
  { vtep: '10.2.0.1', fabric: 'dc2', esi: ZERO_ESI },
] as const;

let seq = 1_000n;

export interface HostRoute {
  mac: string;
  /** 0 for a route without a VNI (MPLS, SRv6), then indexed by `evi`. */
  vni?: number;
  evi?: string;
  vtep: string;
  fabric: string;
  router?: string;
  peer?: string;
  view?: number;
  esi?: string;
  ip?: string;
  seq?: number;
  sticky?: boolean;
  withdraw?: boolean;
  rd?: string;
  /** The per-peer header time (ms); absent = 0, the record time is used. */
  routerMs?: number;
}

export function macRoute(h: HostRoute): IRouteEvent {
  const router = h.router ?? h.vtep;
  return {
    fabric: h.fabric,
    router: { address: router, bgpId: router },
    peer: { address: h.peer ?? '0.0.0.0', ribView: h.view ?? RibView.RIB_VIEW_LOC_RIB, bgpId: router },
    collectorSeq: u64(++seq),
    timestampUs: u64(BigInt(h.routerMs ?? 0) * 1000n),
    action: h.withdraw ? RouteAction.ROUTE_ACTION_WITHDRAW : RouteAction.ROUTE_ACTION_ADVERTISE,
    reason: h.withdraw ? WithdrawReason.WITHDRAW_REASON_EXPLICIT : WithdrawReason.WITHDRAW_REASON_UNSPECIFIED,
    routeType: 2,
    routeKey: `2:${h.rd ?? `${h.vtep}:1`}:0:${h.mac}:${h.ip ?? ''}`,
    rd: h.rd ?? `${h.vtep}:1`,
    mac: h.mac,
    ip: h.ip ?? '',
    esi: h.esi ?? ZERO_ESI,
    vni: h.vni ?? 10100,
    labels: [h.vni ?? 10100],
    evi: h.evi ?? '',
    nextHop: h.vtep,
    hasMacMobility: h.seq !== undefined || h.sticky === true,
    macMobilitySeq: h.seq ?? 0,
    sticky: h.sticky ?? false,
  };
}

export function perEsAd(o: { esi: string; vtep: string; fabric: string; withdraw?: boolean }): IRouteEvent {
  return {
    fabric: o.fabric,
    router: { address: o.vtep, bgpId: o.vtep },
    peer: { address: '0.0.0.0', ribView: RibView.RIB_VIEW_LOC_RIB },
    collectorSeq: u64(++seq),
    action: o.withdraw ? RouteAction.ROUTE_ACTION_WITHDRAW : RouteAction.ROUTE_ACTION_ADVERTISE,
    routeType: 1,
    routeKey: `1:${o.vtep}:1:${o.esi}:4294967295`,
    esi: o.esi,
    ethernetTag: 0xffffffff,
    nextHop: o.vtep,
  };
}

export interface Timed {
  ev: IRouteEvent;
  atMs: number;
  partition?: number;
  offset?: number;
}

/** An MSK record of evpn.routes.v1 holding `events` (a RouteEventBatch), base64 as the event source delivers it. */
function mskRecord(topic: string, partition: number, offset: number, timestamp: number, key: string | null, events: IRouteEvent[]) {
  return {
    topic,
    partition,
    offset,
    timestamp,
    timestampType: 'CREATE_TIME',
    key: key === null ? null : Buffer.from(key).toString('base64'),
    value: Buffer.from(RouteEventBatch.encode({ events }).finish()).toString('base64'),
    headers: [],
  };
}

const mskEvent = (records: Record<string, unknown[]>) =>
  ({ eventSource: 'aws:kafka', eventSourceArn: 'arn:test', bootstrapServers: 'test', records }) as unknown as MSKEvent;

/**
 * Offsets given to records that do not name one: they only grow, per partition, across batches (as Kafka's do; the
 * fabric counters' ledger relies on it: functions/mac-index/fabric-counts.ts). Redeliver a batch by passing the same event.
 * (packedMskBatch numbers its records from 0 each call: a call repeated is a redelivery.)
 */
const nextOffsets = new Map<string, number>();
function nextOffset(topic: string, partition: number): number {
  const k = `${topic}-${partition}`;
  const o = nextOffsets.get(k) ?? 0;
  nextOffsets.set(k, o + 1);
  return o;
}

/** One MSK batch of one event per record, grouped per partition in the given order. */
export function mskBatch(items: Timed[], topic: string = TOPICS.routes): MSKEvent {
  const records: Record<string, unknown[]> = {};
  items.forEach((t) => {
    const p = t.partition ?? 0;
    (records[`${topic}-${p}`] ??= []).push(mskRecord(topic, p, t.offset ?? nextOffset(topic, p), t.atMs, t.ev.mac || t.ev.routeKey || '', [t.ev]));
  });
  return mskEvent(records);
}

/** One MSK batch whose records each pack up to `perRecord` consecutive events of a partition, as the collector does. */
export function packedMskBatch(items: Timed[], perRecord: number, topic: string = TOPICS.routes): MSKEvent {
  const records: Record<string, unknown[]> = {};
  const byPartition = new Map<number, Timed[]>();
  for (const t of items) {
    const p = t.partition ?? 0;
    if (!byPartition.has(p)) byPartition.set(p, []);
    byPartition.get(p)!.push(t);
  }
  for (const [p, list] of byPartition) {
    for (let i = 0; i < list.length; i += perRecord) {
      const chunk = list.slice(i, i + perRecord);
      (records[`${topic}-${p}`] ??= []).push(
        mskRecord(
          topic,
          p,
          i / perRecord,
          chunk[chunk.length - 1]!.atMs,
          null,
          chunk.map((t) => t.ev),
        ),
      );
    }
  }
  return mskEvent(records);
}
