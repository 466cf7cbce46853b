import { describe, expect, it } from 'vitest';
import { vniFromRouteTargets } from '../../../../collector/session/route-labels.js';
import { attrs, bmpMsg, evpn, ext, open, type PeerOpts, rd, update } from '../../../fixtures/bmp/builders.js';
import { HARNESS_NOW_US, sessionHarness } from '../../../support/session-harness.js';

// What an EVPN route's fields mean, on UPDATEs built in code (the cases found on OpenDaylight, NetGauze, ExaBGP, ONOS
// and pmacct captures): VXLAN VNIs, MPLS labels and SRv6 SIDs apart, the route-target heuristic only for VXLAN, no
// type 0, raw types with their RD and without an ESI, and session events stamped by the router.

const PEER: PeerOpts = { address: '10.9.9.9', bgpId: '10.9.9.9' };
const MAC = '02:00:00:00:00:01';
const t2 = (label1: number, label2?: number) => evpn.macIp({ rd: '10.0.0.1:1', mac: MAC, ip: '10.1.1.1', label1, label2 });
/** 24002 as an MPLS label in the 3-octet field: the 20 high-order bits (RFC 7432 §7). */
const MPLS_24002 = 24002 << 4;

function advertised(o: { fabricEncapsulation?: 'vxlan' | 'mpls'; extra?: Buffer[]; rts?: string[]; encap?: number; route?: Buffer; withdraw?: Buffer }) {
  const h = sessionHarness({ fabrics: [{ name: 'dc1', match: { addresses: ['127.0.0.0/8'] }, encapsulation: o.fabricEncapsulation }] });
  h.session.handle(bmpMsg.peerUp({ peer: PEER, sent: open({ asn: 65000, bgpId: '10.1.0.1' }) }));
  const communities = [...(o.rts ?? ['65000:10100']).map(ext.rt), ...(o.encap === undefined ? [] : [ext.encap(o.encap)])];
  h.session.handle(
    bmpMsg.routeMonitoring({
      peer: PEER,
      update: update({
        attributes: [attrs.origin(0), attrs.asPath([]), attrs.ext(communities), ...(o.extra ?? []), attrs.mpReach('10.0.0.1', [o.route ?? t2(10100)])],
      }),
    }),
  );
  if (o.withdraw) h.session.handle(bmpMsg.routeMonitoring({ peer: PEER, update: update({ attributes: [attrs.mpUnreach([o.withdraw])] }) }));
  return h;
}

describe('EVPN label meaning', () => {
  it.each<[string, Parameters<typeof advertised>[0], Record<string, unknown>]>([
    [
      'VXLAN (encapsulation community tunnel type 8): the label is the VNI',
      { encap: 8, route: t2(10100, 50000) },
      { encapsulation: 'ENCAPSULATION_VXLAN', vni: 10100, l3Vni: 50000, vniSource: 'VNI_SOURCE_LABEL', labels: [10100, 50000] },
    ],
    [
      'VXLAN by the fabric default (no encapsulation community): the label is the VNI',
      { route: t2(10100) },
      { encapsulation: 'ENCAPSULATION_VXLAN', vni: 10100, vniSource: 'VNI_SOURCE_LABEL' },
    ],
    [
      'MPLS (encapsulation community tunnel type 10): a 20-bit MPLS label, no VNI, indexed by its EVI',
      { encap: 10, route: t2(MPLS_24002), rts: ['65533:1293'] },
      { encapsulation: 'ENCAPSULATION_MPLS', mplsLabels: [24002], labels: [MPLS_24002], evi: '65533:1293' },
    ],
    [
      'MPLS by the fabric default (configured mpls, no encapsulation community)',
      { fabricEncapsulation: 'mpls', route: t2(MPLS_24002, 16 << 4), rts: ['65000:100'] },
      { encapsulation: 'ENCAPSULATION_MPLS', mplsLabels: [24002, 16], evi: '65000:100' },
    ],
    [
      'the encapsulation community overrides the fabric default',
      { fabricEncapsulation: 'mpls', encap: 8, route: t2(10100) },
      { encapsulation: 'ENCAPSULATION_VXLAN', vni: 10100 },
    ],
    [
      'SRv6 (Prefix-SID with an SRv6 L2 service): the SID as its own field, the transposed label bits put back, no VNI',
      {
        encap: 8, // even beside a VXLAN community: the SRv6 service TLV says what the label carries
        route: t2(14680064), // 0xe00000: the SID's transposed function bits
        rts: ['65000:200'],
        extra: [attrs.prefixSidSrv6({ service: 'l2', sid: 'fc00:0:1::', transposition: { length: 16, offset: 64 } })],
      },
      { encapsulation: 'ENCAPSULATION_SRV6', srv6Sid: 'fc00:0:1:0:e000::', labels: [14680064], evi: '65000:200' },
    ],
    [
      'SRv6 without transposition: the SID as sent',
      { route: t2(0), rts: ['65000:200'], extra: [attrs.prefixSidSrv6({ service: 'l2', sid: 'fc00:0:1:0:42::' })] },
      { encapsulation: 'ENCAPSULATION_SRV6', srv6Sid: 'fc00:0:1:0:42::', evi: '65000:200' },
    ],
  ])('%s', (_what, o, expected) => {
    const ev = advertised(o).routes()[0]!;
    expect(ev).toMatchObject(expected);
    if (ev.encapsulation !== 'ENCAPSULATION_VXLAN') {
      expect(ev.vni ?? 0).toBe(0); // never a VNI: /v1/fabrics cannot count it as one
      expect(ev.l3Vni ?? 0).toBe(0);
    } else {
      expect(ev.mplsLabels ?? []).toEqual([]);
      expect(ev.evi ?? '').toBe('');
    }
    if (ev.encapsulation !== 'ENCAPSULATION_SRV6') expect(ev.srv6Sid ?? '').toBe('');
  });

  it('publishes a withdrawal with its advertisement’s meaning (encapsulation and EVI), as the index needs to find it', () => {
    const h = advertised({ encap: 10, route: t2(MPLS_24002), rts: ['65000:100'], withdraw: t2(0) });
    expect(h.routes()[1]).toMatchObject({ action: 'ROUTE_ACTION_WITHDRAW', encapsulation: 'ENCAPSULATION_MPLS', evi: '65000:100', mplsLabels: [24002] });
    expect(h.routes()[1]!.vni ?? 0).toBe(0);
  });
});

describe('the route-target heuristic for label 0 (FRR 8 over BMP)', () => {
  it.each<[string, string[], number]>([
    ['the plain ASN:VNI form', ['65000:10100'], 10100],
    ['the RFC 8365 §5.1.2.1 form (A=0, type 1 VXLAN)', [`65000:${(0x10 << 24) | 10100}`], 10100],
    ['the RFC 8365 §5.1.2.1 form, auto-derived (A=1, type 1, D-ID 3)', [`65000:${(((0x80 | 0x10 | 3) << 24) | 10100) >>> 0}`], 10100],
    ['not the RFC 8365 form of another service (type 4: EVI)', [`65000:${(0x40 << 24) | 10100}`], 0],
    ['not an IPv4-administered route target', ['10.0.0.1:10100'], 0],
    ['not a 4-octet-AS route target', ['4200000000:100'], 0],
    ['the first route target that gives one', ['10.0.0.1:7', '65000:0', '65000:20200', '65000:10100'], 20200],
  ])('reads %s', (_what, rts, vni) => {
    expect(vniFromRouteTargets(rts)).toBe(vni);
  });

  it('applies to a VXLAN route with label 0, saying so in the event', () => {
    expect(advertised({ encap: 8, route: t2(0), rts: ['65000:10100'] }).routes()[0]).toMatchObject({ vni: 10100, vniSource: 'VNI_SOURCE_ROUTE_TARGET' });
    expect(advertised({ route: t2(0), rts: ['65000:10100'] }).routes()[0]).toMatchObject({ vni: 10100, vniSource: 'VNI_SOURCE_ROUTE_TARGET' });
  });

  it('never applies to an MPLS route: RT 65533:1293 is not VNI 1293', () => {
    for (const o of [{ encap: 10 }, { fabricEncapsulation: 'mpls' as const }]) {
      const ev = advertised({ ...o, route: t2(0), rts: ['65533:1293'] }).routes()[0]!;
      expect(ev.vni ?? 0).toBe(0);
      expect(ev.vniSource ?? 'VNI_SOURCE_UNSPECIFIED').toBe('VNI_SOURCE_UNSPECIFIED');
      expect(ev.evi).toBe('65533:1293');
    }
  });
});

describe('EVPN route types outside 1-5', () => {
  it('counts a route of the reserved type 0 as malformed and does not publish it, keeping the routes around it', async () => {
    const h = advertised({ route: Buffer.concat([evpn.raw(0, Buffer.alloc(8)), t2(10100)]) });
    expect(h.routes().map((e) => e.routeType)).toEqual([2]);
    expect(await h.metric('evpnlens_evpn_routes_invalid_total', '{route_type="0"}')).toBe(1);
  });

  it.each([
    ['6 (RFC 9251 SMET)', 6, Buffer.concat([rd('65000:7'), Buffer.from([0, 0, 0, 0, 0, 0, 32, 10, 0, 0, 1, 0])]), '65000:7'],
    ['8 (RFC 9251 leave synch)', 8, Buffer.concat([rd('10.0.0.1:9'), Buffer.alloc(20)]), '10.0.0.1:9'],
    ['9 (RFC 9572 per-region I-PMSI A-D)', 9, Buffer.concat([rd('4200000000:3'), Buffer.alloc(12)]), '4200000000:3'],
    ['10 (RFC 9572 S-PMSI A-D)', 10, Buffer.concat([rd('65000:10'), Buffer.alloc(10)]), '65000:10'],
    [
      '11 (RFC 9572 Leaf A-D: the RD of the route its key names)',
      11,
      Buffer.concat([Buffer.from([10, 18]), rd('65000:11'), Buffer.alloc(10), Buffer.from([10, 0, 0, 1])]),
      '65000:11',
    ],
    ['200 (unknown: no RD can be told)', 200, Buffer.alloc(12, 7), ''],
  ])('publishes type %s raw, with its RD where it has one and no ESI, counted by type', async (_what, type, body, rdText) => {
    const h = advertised({ route: evpn.raw(type, body) });
    const ev = h.routes()[0]!;
    expect(ev).toMatchObject({ routeType: type, rawNlri: body.toString('base64') });
    expect(ev.rd ?? '').toBe(rdText);
    expect(ev.esi ?? '').toBe(''); // never the zero ESI: none was decoded
    expect(await h.metric('evpnlens_evpn_routes_undecoded_total', `{route_type="${type}"}`)).toBe(1);
  });

  it('gives a type 3 route (whose NLRI has no ESI) no ESI', () => {
    const ev = advertised({ route: evpn.imet({ rd: '10.0.0.1:1', etag: 0, originator: '10.0.0.1' }) }).routes()[0]!;
    expect(ev.esi ?? '').toBe('');
  });
});

describe('session event timestamps', () => {
  it('stamps Peer Up and Peer Down with the per-peer header time when the router set it, the receive time beside it', () => {
    const h = sessionHarness();
    const at = { sec: 1_764_000_000, usec: 250_000 };
    h.session.handle(bmpMsg.peerUp({ peer: { ...PEER, ...at }, sent: open({ asn: 65000, bgpId: '10.1.0.1' }) }));
    h.session.handle(bmpMsg.peerDown({ peer: { ...PEER, ...at }, reason: 4 }));
    // Both events, by kind: a harness that published none would pass the loop below.
    expect(h.sessions().map((e) => e.kind)).toEqual(['SESSION_EVENT_KIND_PEER_UP', 'SESSION_EVENT_KIND_PEER_DOWN']);
    for (const ev of h.sessions()) {
      expect(ev.timestampUs).toBe('1764000000250000');
      expect(ev.receivedUs).toBe(String(HARNESS_NOW_US));
    }
  });

  it('uses the receive time when the router sent zero, and for router events (no per-peer header)', () => {
    const h = sessionHarness();
    h.session.handle(bmpMsg.initiation({ sysName: 'leaf1' }));
    h.session.handle(bmpMsg.peerUp({ peer: { ...PEER, sec: 0, usec: 0 }, sent: open({ asn: 65000, bgpId: '10.1.0.1' }) }));
    expect(h.sessions().map((e) => [e.kind, e.timestampUs, e.receivedUs])).toEqual([
      ['SESSION_EVENT_KIND_ROUTER_UP', String(HARNESS_NOW_US), String(HARNESS_NOW_US)],
      ['SESSION_EVENT_KIND_PEER_UP', String(HARNESS_NOW_US), String(HARNESS_NOW_US)],
    ]);
  });
});
