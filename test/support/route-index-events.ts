/** Type-1, type-4 and type-5 route events, as the collector publishes them, for the route index's tests. */
import { type IRouteEvent, RibView, RouteAction } from '../../schemas/events.js';
import { u64 } from '../../schemas/long.js';

let seq = 5_000_000n;
export const MAX_ET = 0xffffffff;

export interface Origin {
  fabric: string;
  router: string;
  epoch?: number;
  withdraw?: boolean;
  /** RIB view (default Loc-RIB). */
  view?: number;
}
const ctx = (o: Origin): IRouteEvent => ({
  fabric: o.fabric,
  router: { address: o.router, bgpId: o.router },
  peer: { address: '0.0.0.0', ribView: o.view ?? RibView.RIB_VIEW_LOC_RIB, bgpId: o.router },
  collectorSeq: u64(++seq),
  ...(o.epoch ? { sessionEpoch: u64(BigInt(o.epoch)) } : {}),
  action: o.withdraw ? RouteAction.ROUTE_ACTION_WITHDRAW : RouteAction.ROUTE_ACTION_ADVERTISE,
});
/** Type 4 (RFC 7432 §7.4), originated by the VTEP itself. */
export const esRoute = (esi: string, vtep: string, o: Partial<Origin> & { dfAlg?: number } = {}): IRouteEvent => ({
  ...ctx({ fabric: 'dc1', router: vtep, ...o }),
  routeType: 4,
  routeKey: `4:${vtep}:1:${esi}:${vtep}`,
  rd: `${vtep}:1`,
  esi,
  originatorIp: vtep,
  nextHop: vtep,
  ...(o.dfAlg !== undefined ? { rawExtCommunities: [{ type: 0x0606, value: Uint8Array.from([6, 6, o.dfAlg, 0, 0, 0, 0, 0]) }] } : {}),
});
/** Type 1: per ES (tag MAX-ET, with the ESI Label community) or per EVI (tag 0, the VNI in the label). */
export const adRoute = (esi: string, vtep: string, vni: number | 'per-es', o: Partial<Origin> & { singleActive?: boolean } = {}): IRouteEvent => ({
  ...ctx({ fabric: 'dc1', router: vtep, ...o }),
  routeType: 1,
  routeKey: `1:${vtep}:${vni === 'per-es' ? 1 : vni}:${esi}:${vni === 'per-es' ? MAX_ET : 0}`,
  rd: `${vtep}:${vni === 'per-es' ? 1 : vni}`,
  esi,
  ethernetTag: vni === 'per-es' ? MAX_ET : 0,
  nextHop: vtep,
  ...(vni === 'per-es' ? { hasEsiLabel: true, esiLabel: 0, esiSingleActive: o.singleActive ?? false } : { vni, labels: [vni] }),
});
/** Type 5 (RFC 9136) in the IP-VRF of an L3 VNI, with a router MAC (RFC 9135 §8.1). */
export const prefixRoute = (prefix: string, l3Vni: number, vtep: string, o: Partial<Origin> & { gw?: string } = {}): IRouteEvent => ({
  ...ctx({ fabric: 'dc1', router: vtep, ...o }),
  routeType: 5,
  routeKey: `5:${vtep}:${l3Vni}:0:${prefix}`,
  rd: `${vtep}:${l3Vni}`,
  ipPrefix: prefix,
  gatewayIp: o.gw ?? '0.0.0.0',
  l3Vni,
  labels: [l3Vni],
  nextHop: vtep,
  routerMac: `02:aa:00:00:00:${vtep.split('.').at(-1)!.padStart(2, '0')}`,
});
