/** A generated BMP stream of type-2 routes, as a router dumping its EVPN table would send it. */
import { attrs, bmpMsg, evpn, open, type Type2, type2Update, update as updateOf } from '../test/fixtures/bmp/builders.js';

export function macOf(i: number): string {
  const h = (i + 0x020000000000).toString(16).padStart(12, '0');
  return h.match(/../g)!.join(':');
}

export function generateType2Stream(o: { routes: number; perUpdate: number; peers?: number }): { stream: Buffer; messages: number } {
  const parts: Buffer[] = [bmpMsg.initiation({ sysName: 'bench-rr1' })];
  const peers = o.peers ?? 4;
  for (let p = 0; p < peers; p++) parts.push(bmpMsg.peerUp({ peer: { address: `10.255.0.${p + 1}`, bgpId: `10.255.0.${p + 1}`, asn: 65000 } }));
  let messages = parts.length;
  for (let i = 0; i < o.routes; i += o.perUpdate) {
    const routes: Type2[] = [];
    for (let j = i; j < Math.min(o.routes, i + o.perUpdate); j++) {
      routes.push({
        rd: `10.0.${(j >> 8) & 0xff}.${j & 0xff}:${100 + (j % 50)}`,
        mac: macOf(j),
        ip: `10.${(j >> 16) & 0xff}.${(j >> 8) & 0xff}.${j & 0xff}`,
        label1: 10000 + (j % 50),
      });
    }
    const p = (i / o.perUpdate) % peers;
    parts.push(
      bmpMsg.routeMonitoring({
        peer: { address: `10.255.0.${p + 1}`, bgpId: `10.255.0.${p + 1}`, asn: 65000, flags: 0x40 },
        update: type2Update({ nextHop: `10.0.0.${(i % 200) + 1}`, routes, seq: i % 3 === 0 ? 1 : undefined }),
      }),
    );
    messages++;
  }
  return { stream: Buffer.concat(parts), messages };
}

/** RIB views a synthetic router exports: pre-policy and post-policy Adj-RIB-In (RFC 7854) and Loc-RIB (RFC 9069). */
export type SyntheticView = 'pre' | 'post' | 'loc';
const VIEW_PEER = { pre: { type: 0, flags: 0 }, post: { type: 0, flags: 0x40 }, loc: { type: 3, flags: 0 } } as const;

export interface SyntheticRouter {
  /** The router's BGP ID (fabric rules match it). */
  bgpId: string;
  /** The iBGP peer whose routes it reports (its Adj-RIB-In views). */
  peer?: string;
  views?: SyntheticView[];
}

export interface SyntheticRoutes {
  /** MAC numbers [from, to) (macOf). */
  from: number;
  to: number;
  perUpdate?: number;
  /** The VTEP (next hop) of MAC number i. */
  vtepOf?: (i: number) => string;
  vniOf?: (i: number) => number;
  withdraw?: boolean;
  /** MAC mobility sequence number (RFC 7432 §7.7), for moves. */
  seq?: number;
}

export const ipOf = (i: number) => `10.${(i >> 16) & 0xff}.${(i >> 8) & 0xff}.${i & 0xff}`;

/** The session opening of a synthetic router: Initiation and a Peer Up for each Adj-RIB-In / Loc-RIB view. */
export function routerOpening(r: SyntheticRouter): Buffer {
  const peer = r.peer ?? '10.254.0.1';
  const parts = [bmpMsg.initiation({ sysName: `synthetic-${r.bgpId}` })];
  const views = r.views ?? ['post'];
  if (views.includes('pre') || views.includes('post'))
    parts.push(
      bmpMsg.peerUp({
        peer: { address: peer, bgpId: peer, asn: 65000 },
        sent: open({ asn: 65000, bgpId: r.bgpId }),
        received: open({ asn: 65000, bgpId: peer }),
      }),
    );
  if (views.includes('loc'))
    parts.push(
      bmpMsg.peerUp({
        peer: { type: 3, address: '0.0.0.0', bgpId: r.bgpId, asn: 65000 },
        sent: open({ asn: 65000, bgpId: r.bgpId }),
        received: open({ asn: 65000, bgpId: r.bgpId }),
      }),
    );
  return Buffer.concat(parts);
}

/** Route Monitoring messages of MACs [from, to) in every view of the router: advertisements or withdrawals. */
export function routerRoutes(r: SyntheticRouter, o: SyntheticRoutes): { stream: Buffer; events: number } {
  const peer = r.peer ?? '10.254.0.1';
  const per = o.perUpdate ?? 50;
  const vtepOf = o.vtepOf ?? ((i: number) => `10.0.${(i >> 8) & 0x3f}.${(i % 200) + 1}`);
  const vniOf = o.vniOf ?? (() => 10100);
  const parts: Buffer[] = [];
  let events = 0;
  for (const view of r.views ?? ['post']) {
    const v = VIEW_PEER[view];
    const pp = { type: v.type, flags: v.flags, address: view === 'loc' ? '0.0.0.0' : peer, bgpId: view === 'loc' ? r.bgpId : peer, asn: 65000 };
    for (let i = o.from; i < o.to; ) {
      // One UPDATE per (VTEP, VNI) run: routes of one UPDATE share the next hop and attributes.
      const vtep = vtepOf(i);
      const vni = vniOf(i);
      const routes: Type2[] = [];
      for (; i < o.to && routes.length < per && vtepOf(i) === vtep && vniOf(i) === vni; i++)
        routes.push({ rd: `${vtep}:${vni % 65536}`, mac: macOf(i), ip: ipOf(i), label1: vni });
      events += routes.length;
      const update = o.withdraw
        ? updateOf({ attributes: [attrs.mpUnreach(routes.map((x) => evpn.macIp(x)))] })
        : type2Update({ nextHop: vtep, routes, rts: [`65000:${vni}`], seq: o.seq });
      parts.push(bmpMsg.routeMonitoring({ peer: pp, update }));
    }
  }
  return { stream: Buffer.concat(parts), events };
}

/** End-of-RIB (RFC 4724 §2: an UPDATE with an empty MP_UNREACH_NLRI for L2VPN EVPN) in every view of the router. */
export function routerEndOfRib(r: SyntheticRouter): Buffer {
  const peer = r.peer ?? '10.254.0.1';
  return Buffer.concat(
    (r.views ?? ['post']).map((view) => {
      const v = VIEW_PEER[view];
      const pp = { type: v.type, flags: v.flags, address: view === 'loc' ? '0.0.0.0' : peer, bgpId: view === 'loc' ? r.bgpId : peer, asn: 65000 };
      return bmpMsg.routeMonitoring({ peer: pp, update: updateOf({ attributes: [attrs.mpUnreach([])] }) });
    }),
  );
}
