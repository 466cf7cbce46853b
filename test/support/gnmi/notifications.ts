/** gNMI notifications for tests, built from path strings. */
import Long from 'long';
import { parsePath } from '../../../collector/gnmi/path.js';
import type { INotification, ISubscribeResponse, ITypedValue } from '../../../schemas/gnmi.js';

export const OC_VXLAN =
  '/network-instances/network-instance[name=default]/connection-points/connection-point[connection-point-id=vxlan]/endpoints/endpoint[endpoint-id=nve1]/vxlan';

export const uint = (v: bigint | number): ITypedValue => ({ uintVal: Long.fromString(String(v), true) });
export const str = (v: string): ITypedValue => ({ stringVal: v });
export const jsonIetf = (v: unknown): ITypedValue => ({ jsonIetfVal: Buffer.from(JSON.stringify(v)) });

/** A notification: prefix path string, then [relative path, value] pairs, and deleted relative paths. */
export function notification(
  prefix: string,
  updates: [string, ITypedValue][],
  o: { deletes?: string[]; timestampNs?: bigint; atomic?: boolean; target?: string } = {},
): INotification {
  const p = parsePath(prefix);
  return {
    timestamp: Long.fromString(String(o.timestampNs ?? BigInt(Date.now()) * 1_000_000n)),
    prefix: { origin: p.origin, elem: p.elem, target: o.target ?? '' },
    update: updates.map(([path, val]) => ({ path: { elem: parsePath(path).elem }, val })),
    delete: (o.deletes ?? []).map((d) => ({ elem: parsePath(d).elem })),
    atomic: Boolean(o.atomic),
  };
}

export const update = (n: INotification): ISubscribeResponse => ({ update: n });
export const SYNC: ISubscribeResponse = { syncResponse: true };

/** A VTEP peer's counters as a notification. */
export function peerCounters(peer: string, encapPkts: bigint, extra: [string, ITypedValue][] = []): INotification {
  return notification(`${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=${peer}]/state`, [
    ['counters/total-encap-pkts', uint(encapPkts)],
    ['peer-state', str('UP')],
    ...extra,
  ]);
}
