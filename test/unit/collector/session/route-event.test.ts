import { describe, expect, it } from 'vitest';
import { decodeBgpUpdate, type PerPeerHeader } from '../../../../collector/bmp/index.js';
import { attributeFields, buildRouteEvent, contextFields, encodeFields, joinParts, longOf, routeFields, type RouteEventStamp } from '../../../../collector/session/route-event.js';
import { RouterState } from '../../../../collector/state/router-state.js';
import { RouteAction, RouteEvent, WithdrawReason } from '../../../../schemas/events.js';
import { attrs, evpn, ext, update } from '../../../fixtures/bmp/builders.js';

const peer: PerPeerHeader = { peerType: 0, flags: 0x40, ipv6: false, postPolicy: true, legacyAsPath: false, adjRibOut: false, distinguisher: '', address: '10.0.0.2', asn: 65002, bgpId: '10.0.0.2', timestampUs: 1_764_000_000_123_456n };
const router = Object.assign(new RouterState('127.0.0.1/10.0.0.1', '127.0.0.1'), { fabric: 'dc1', sysName: 'leaf1', bgpId: '10.0.0.1' });
const ctx = { router, peer, ribView: 2, tableName: '', collectorId: 'c1' };

// Every attribute the event carries, and every route type.
const upd = decodeBgpUpdate(
  update({
    attributes: [
      attrs.origin(0),
      attrs.asPath([65001, 4_200_000_000]),
      attrs.localPref(200),
      attrs.med(5),
      attrs.communities(['65000:1']),
      attrs.large(['65000:1:2']),
      attrs.originatorId('10.0.0.9'),
      attrs.clusterList(['10.0.0.8']),
      attrs.pmsi({ tunnelType: 6, label: 10100, tunnelId: '10.0.0.1' }),
      attrs.ext([ext.rt('65000:10100'), ext.macMobility(7, true), ext.esiLabel(0, true), ext.routerMac('02:00:00:00:00:01'), ext.defaultGateway(), ext.encap(8), ext.esImport('00:11:22:33:44:55'), ext.raw(Buffer.from('8000000000000001', 'hex'))]),
      attrs.mpReach('10.0.0.1', [
        evpn.ad({ rd: '10.0.0.1:1', esi: '00:11:22:33:44:55:66:77:88:99', etag: 0, label: 10100 }),
        evpn.macIp({ rd: '10.0.0.1:1', mac: 'aa:bb:cc:00:00:01', ip: '10.1.1.1', label1: 10100, label2: 50000 }),
        evpn.macIp({ rd: '10.0.0.1:1', esi: '00:11:22:33:44:55:66:77:88:99', mac: 'aa:bb:cc:00:00:02', ip: '2001:db8::2', label1: 10100 }),
        evpn.imet({ rd: '10.0.0.1:1', etag: 0, originator: '10.0.0.1' }),
        evpn.es({ rd: '10.0.0.1:1', esi: '00:11:22:33:44:55:66:77:88:99', originator: '10.0.0.1' }),
        evpn.prefix({ rd: '10.0.0.1:1', prefix: '10.9.0.0/24', gateway: '10.1.1.254', label: 50000 }),
        evpn.raw(9, Buffer.from('0102030405', 'hex')),
      ]),
    ],
  }),
  { fourOctetAs: true, addPath: new Set() },
);

describe('route event parts', () => {
  const stamp = (action: number): RouteEventStamp => ({ action, reason: action === RouteAction.ROUTE_ACTION_ADVERTISE ? 0 : WithdrawReason.WITHDRAW_REASON_EXPLICIT, nextHop: '10.0.0.1', seq: 2n ** 52n + 3n, timestampUs: longOf(peer.timestampUs) });

  it('decode, concatenated, to the same event as the whole object encoded at once, for every route type', () => {
    expect(upd.advertised.map((r) => r.routeType)).toEqual([1, 2, 2, 3, 4, 5, 9]);
    const context = encodeFields(contextFields(ctx));
    const attributes = encodeFields(attributeFields(upd.attributes));
    for (const route of upd.advertised) {
      for (const action of [RouteAction.ROUTE_ACTION_ADVERTISE, RouteAction.ROUTE_ACTION_WITHDRAW]) {
        const s = stamp(action);
        const adv = action === RouteAction.ROUTE_ACTION_ADVERTISE;
        const parts = joinParts(context, adv ? attributes : undefined, encodeFields(routeFields(route, s, adv ? upd.attributes : undefined)));
        const whole = RouteEvent.encode(buildRouteEvent(ctx, route, s, adv ? upd.attributes : undefined)).finish();
        expect(RouteEvent.toObject(RouteEvent.decode(parts), { longs: String })).toEqual(RouteEvent.toObject(RouteEvent.decode(whole), { longs: String }));
      }
    }
  });

  it('carries the fields a consumer reads, from the right part', () => {
    const route = upd.advertised[1]!;
    const ev = RouteEvent.decode(joinParts(encodeFields(contextFields(ctx)), encodeFields(attributeFields(upd.attributes)), encodeFields(routeFields(route, stamp(1), upd.attributes))));
    expect(ev).toMatchObject({ fabric: 'dc1', router: { sysName: 'leaf1', bgpId: '10.0.0.1' }, peer: { address: '10.0.0.2', ribView: 2 }, mac: 'aa:bb:cc:00:00:01', ip: '10.1.1.1', vni: 10100, l3Vni: 50000, nextHop: '10.0.0.1', hasMacMobility: true, macMobilitySeq: 7, sticky: true, routeTargets: ['65000:10100'], routerMac: '02:00:00:00:00:01' });
    expect(ev.collectorSeq.toString()).toBe(String(2n ** 52n + 3n)); // uint64 kept exact
    expect(ev.timestampUs.toString()).toBe('1764000000123456');
  });
});
