import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBgpUpdate, type EvpnRoute, type PerPeerHeader } from '../../../../collector/bmp/index.js';
import {
  attributeFields,
  buildRouteEvent,
  contextFields,
  encodeFields,
  joinParts,
  longOf,
  type RouteEventStamp,
} from '../../../../collector/session/route-event.js';
import { labelsOf, summarizeAttributes } from '../../../../collector/session/route-labels.js';
import { RoutePartEncoder } from '../../../../collector/session/route-part-encoder.js';
import { RouteAction, RouteEvent, WithdrawReason } from '../../../../schemas/events.js';
import { attrs, evpn, ext, update } from '../../../fixtures/bmp/builders.js';

const peer: PerPeerHeader = {
  peerType: 0,
  flags: 0x40,
  ipv6: false,
  postPolicy: true,
  legacyAsPath: false,
  adjRibOut: false,
  distinguisher: '',
  address: '10.0.0.2',
  asn: 65002,
  bgpId: '10.0.0.2',
  timestampUs: 1_764_000_000_123_456n,
};
const router = { address: '127.0.0.1', fabric: 'dc1', sysName: 'leaf1', bgpId: '10.0.0.1' };
const ctx = { router, peer, ribView: 2, tableName: '', collectorId: 'c1', sessionEpoch: 7n };

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
      attrs.ext([
        ext.rt('65000:10100'),
        ext.macMobility(7, true),
        ext.esiLabel(0, true),
        ext.routerMac('02:00:00:00:00:01'),
        ext.defaultGateway(),
        ext.encap(8),
        ext.esImport('00:11:22:33:44:55'),
        ext.raw(Buffer.from('8000000000000001', 'hex')),
      ]),
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

const encoder = new RoutePartEncoder();
const summary = summarizeAttributes(upd.attributes, 'vxlan');
const routePart = (route: EvpnRoute, s: RouteEventStamp) =>
  Buffer.from(
    encoder.encode({
      route,
      action: s.action,
      reason: s.reason,
      seq: s.seq,
      timestampUs: s.timestampUs,
      nextHop: s.nextHop,
      ...labelsOf(route, s.attrs),
    }),
  );
// Proto3: a field at its default and an absent field are the same event.
const asObject = (bytes: Uint8Array) => RouteEvent.toObject(RouteEvent.decode(bytes), { longs: String, defaults: true, bytes: String });

describe('route event parts', () => {
  const stamp = (action: number): RouteEventStamp => ({
    action,
    reason: action === RouteAction.ROUTE_ACTION_ADVERTISE ? 0 : WithdrawReason.WITHDRAW_REASON_EXPLICIT,
    nextHop: '10.0.0.1',
    seq: 2n ** 52n + 3n,
    timestampUs: peer.timestampUs,
    attrs: summary,
  });

  it('decode, concatenated, to the same event as the whole object encoded at once, for every route type', () => {
    expect(upd.advertised.map((r) => r.routeType)).toEqual([1, 2, 2, 3, 4, 5, 9]);
    const context = encodeFields(contextFields(ctx));
    const attributes = encodeFields(attributeFields(upd.attributes));
    for (const route of upd.advertised) {
      for (const action of [RouteAction.ROUTE_ACTION_ADVERTISE, RouteAction.ROUTE_ACTION_WITHDRAW]) {
        const s = stamp(action);
        const adv = action === RouteAction.ROUTE_ACTION_ADVERTISE;
        const parts = joinParts(context, adv ? attributes : undefined, routePart(route, s));
        const whole = RouteEvent.encode(buildRouteEvent(ctx, route, s, adv ? upd.attributes : undefined)).finish();
        expect(asObject(parts)).toEqual(asObject(whole));
      }
    }
  });

  it('carries the fields a consumer reads, from the right part', () => {
    const route = upd.advertised[1]!;
    const ev = RouteEvent.decode(joinParts(encodeFields(contextFields(ctx)), encodeFields(attributeFields(upd.attributes)), routePart(route, stamp(1))));
    expect(ev).toMatchObject({
      fabric: 'dc1',
      router: { sysName: 'leaf1', bgpId: '10.0.0.1' },
      peer: { address: '10.0.0.2', ribView: 2 },
      mac: 'aa:bb:cc:00:00:01',
      ip: '10.1.1.1',
      vni: 10100,
      l3Vni: 50000,
      nextHop: '10.0.0.1',
      hasMacMobility: true,
      macMobilitySeq: 7,
      sticky: true,
      routeTargets: ['65000:10100'],
      routerMac: '02:00:00:00:00:01',
    });
    expect(ev.collectorSeq.toString()).toBe(String(2n ** 52n + 3n)); // uint64 kept exact
    expect(ev.timestampUs.toString()).toBe('1764000000123456');
  });
});

describe('RoutePartEncoder', () => {
  it('writes what the generated encoder writes, for random field values up to uint64 and multi-byte UTF-8', () => {
    fc.assert(
      fc.property(
        fc.record({
          pathId: fc.nat(),
          routeType: fc.integer({ min: 0, max: 255 }),
          esiType: fc.integer({ min: 0, max: 5 }),
          ethernetTag: fc.nat(),
          labels: fc.array(fc.integer({ min: 0, max: 0xffffff }), { maxLength: 3 }),
          key: fc.string({ unit: 'binary', maxLength: 60 }),
          rd: fc.string({ maxLength: 25 }),
          esi: fc.string({ maxLength: 30 }),
          mac: fc.string({ maxLength: 17 }),
          ip: fc.string({ maxLength: 39 }),
          originatorIp: fc.string({ maxLength: 39 }),
          prefix: fc.string({ maxLength: 43 }),
          gatewayIp: fc.string({ maxLength: 39 }),
          raw: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
        }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.record({
          action: fc.integer({ min: 0, max: 2 }),
          reason: fc.integer({ min: 0, max: 3 }),
          vni: fc.integer({ min: 0, max: 0xffffff }),
          l3Vni: fc.integer({ min: 0, max: 0xffffff }),
          mplsLabels: fc.array(fc.integer({ min: 0, max: 0xfffff }), { maxLength: 3 }),
          encapsulation: fc.integer({ min: 0, max: 3 }),
          vniSource: fc.integer({ min: 0, max: 3 }),
          srv6Sid: fc.string({ maxLength: 39 }),
          evi: fc.string({ maxLength: 30 }),
          nextHop: fc.string({ unit: 'grapheme', maxLength: 40 }),
        }),
        (r, seq, ts, s) => {
          const route: EvpnRoute = { ...r, raw: r.raw ? Buffer.from(r.raw) : undefined, nlri: Buffer.alloc(0) };
          const ours = Buffer.from(encoder.encode({ route, seq, timestampUs: ts, ...s }));
          const reference = RouteEvent.encode({
            pathId: r.pathId,
            timestampUs: longOf(ts),
            collectorSeq: longOf(seq),
            action: s.action,
            reason: s.reason,
            routeType: r.routeType,
            routeKey: r.key,
            rd: r.rd,
            esi: r.esi,
            esiType: r.esiType,
            ethernetTag: r.ethernetTag,
            mac: r.mac,
            ip: r.ip,
            labels: r.labels,
            vni: s.vni,
            l3Vni: s.l3Vni,
            mplsLabels: s.mplsLabels,
            originatorIp: r.originatorIp,
            ipPrefix: r.prefix,
            gatewayIp: r.gatewayIp,
            rawNlri: route.raw,
            encapsulation: s.encapsulation,
            vniSource: s.vniSource,
            srv6Sid: s.srv6Sid,
            evi: s.evi,
            nextHop: s.nextHop,
          }).finish();
          expect(asObject(ours)).toEqual(asObject(reference));
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('grows its buffer for a route larger than it', () => {
    const big = { ...upd.advertised[1]!, key: 'k'.repeat(10_000) };
    const out = encoder.encode({
      route: big,
      action: 1,
      reason: 0,
      seq: 1n,
      timestampUs: 1n,
      vni: 1,
      l3Vni: 0,
      mplsLabels: [],
      encapsulation: 1,
      vniSource: 1,
      srv6Sid: '',
      evi: 'e'.repeat(5_000),
      nextHop: 'x',
    });
    expect(RouteEvent.decode(out).routeKey).toHaveLength(10_000);
  });
});
