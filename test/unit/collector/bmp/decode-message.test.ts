import { describe, expect, it } from 'vitest';
import {
  type DecodeError,
  decodeBgpUpdate,
  decodeBmpMessage,
  ErrorHandling,
  type RouteMonitoringMessage,
  strongestHandling,
  TruncatedError,
} from '../../../../collector/bmp/index.js';
import { attrs, bgpMessage, bmpMsg, evpn, ext, notification, open, statValue, type2Update, update } from '../../../fixtures/bmp/builders.js';

const noAddPath = { fourOctetAs: true, addPath: new Set<string>() };

describe('decodeBmpMessage', () => {
  it('decodes an Initiation with sysName, sysDescr and strings', () => {
    const msg = decodeBmpMessage(bmpMsg.initiation({ sysName: 'leaf1', sysDescr: 'FRR 8.4', strings: ['hello'] }));
    expect(msg).toMatchObject({ kind: 'initiation', sysName: 'leaf1', sysDescr: 'FRR 8.4', strings: ['hello'] });
  });

  it('decodes a Termination with its reason', () => {
    expect(decodeBmpMessage(bmpMsg.termination(2, 'bye'))).toEqual({ kind: 'termination', reason: 2, strings: ['bye'] });
  });

  it('decodes a Peer Up with both OPENs, 4-octet AS, ADD-PATH per AFI/SAFI and the table name', () => {
    const msg = decodeBmpMessage(
      bmpMsg.peerUp({
        peer: { address: '2001:db8::2', asn: 4_200_000_001, bgpId: '10.0.0.2', flags: 0x40 },
        localAddress: '2001:db8::1',
        sent: open({ asn: 4_200_000_000, bgpId: '10.0.0.1', addPath: [{ afi: 25, safi: 70, mode: 3 }] }),
        received: open({ asn: 4_200_000_001, bgpId: '10.0.0.2', addPath: [{ afi: 25, safi: 70, mode: 1 }] }),
        tableName: 'default',
      }),
    );
    if (msg.kind !== 'peer-up') throw new Error(msg.kind);
    expect(msg.peer).toMatchObject({ ipv6: true, address: '2001:db8::2', asn: 4_200_000_001, bgpId: '10.0.0.2', postPolicy: true });
    expect(msg.localAddress).toBe('2001:db8::1');
    expect(msg.sentOpen.capabilities.fourOctetAs).toBe(true);
    expect(msg.sentOpen.capabilities.asn4).toBe(4_200_000_000);
    expect(msg.sentOpen.asn).toBe(23456);
    expect(msg.sentOpen.capabilities.addPath.get('25/70')).toBe(3);
    expect(msg.receivedOpen.capabilities.addPath.get('25/70')).toBe(1);
    expect(msg.receivedOpen.capabilities.multiprotocol).toEqual(['25/70']);
    expect(msg.tableName).toBe('default');
  });

  it.each([
    [1, notification(6, 2), { notification: { code: 6, subcode: 2 } }],
    [2, Buffer.from([0, 18]), { fsmEvent: 18 }],
    [3, notification(4, 0), { notification: { code: 4, subcode: 0 } }],
    [4, Buffer.alloc(0), {}],
    [5, Buffer.alloc(0), {}],
    [6, Buffer.from([0, 3, 0, 3, 0x76, 0x72, 0x66]), { tableName: 'vrf' }],
  ])('decodes Peer Down reason %i with its data', (reason, data, expected) => {
    const msg = decodeBmpMessage(bmpMsg.peerDown({ reason, data }));
    expect(msg).toMatchObject({ kind: 'peer-down', reason, ...expected });
  });

  it('decodes per-peer header flags for pre/post-policy, Adj-RIB-Out and Loc-RIB, and the peer distinguisher', () => {
    const rm = (flags: number, type = 0, distinguisher?: string) =>
      decodeBmpMessage(
        bmpMsg.routeMonitoring({ peer: { flags, type, distinguisher, sec: 1_700_000_000, usec: 5 }, update: update() }),
      ) as RouteMonitoringMessage;
    expect(rm(0).peer).toMatchObject({ postPolicy: false, adjRibOut: false, peerType: 0, distinguisher: '' });
    expect(rm(0x40).peer.postPolicy).toBe(true);
    expect(rm(0x10).peer.adjRibOut).toBe(true);
    expect(rm(0x20).peer.legacyAsPath).toBe(true);
    expect(rm(0, 3).peer.peerType).toBe(3);
    expect(rm(0, 1, '65000:7').peer.distinguisher).toBe('65000:7');
    expect(rm(0).peer.timestampUs).toBe(1_700_000_000_000_005n);
  });

  it('decodes a Statistics Report with 32-bit counters, 64-bit gauges and per-AFI/SAFI gauges', () => {
    const msg = decodeBmpMessage(
      bmpMsg.stats({
        stats: [
          { type: 0, value: statValue.u32(7) },
          { type: 7, value: statValue.u64(2n ** 40n) },
          { type: 9, value: statValue.afiSafi(25, 70, 12345n) },
          { type: 99, value: Buffer.from([1, 2, 3]) },
        ],
      }),
    );
    if (msg.kind !== 'stats') throw new Error(msg.kind);
    expect(msg.stats).toEqual([
      { type: 0, value: 7n },
      { type: 7, value: 2n ** 40n },
      { type: 9, afi: 25, safi: 70, value: 12345n },
      { type: 99, value: 0n, raw: Buffer.from([1, 2, 3]) },
    ]);
  });

  it('decodes Route Mirroring TLVs', () => {
    const bgp = update();
    const msg = decodeBmpMessage(bmpMsg.mirroring({ bgp: [bgp], info: [1] }));
    expect(msg).toMatchObject({ kind: 'mirroring', infoCodes: [1] });
    expect((msg as { bgpMessages: Buffer[] }).bgpMessages[0]).toEqual(bgp);
  });

  it('returns unknown message types so that the session can skip and count them', () => {
    const buf = Buffer.from([3, 0, 0, 0, 10, 42, 1, 2, 3, 4]);
    expect(decodeBmpMessage(buf)).toEqual({ kind: 'unknown', type: 42, length: 10 });
  });

  it('throws typed errors with offsets for truncated bodies', () => {
    const good = bmpMsg.peerUp({});
    const cut = Buffer.from(good.subarray(0, 60));
    cut.writeUInt32BE(60, 1);
    const err = (() => {
      try {
        decodeBmpMessage(cut);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TruncatedError);
    expect((err as DecodeError).context.offset).toBeGreaterThan(40);
    expect((err as DecodeError).context.hex!.length).toBeLessThanOrEqual(128);
  });
});

describe('decodeBgpUpdate', () => {
  const rm = (u: Buffer) => decodeBgpUpdate(u, noAddPath);

  it('decodes a type-2 MAC/IP route with every EVPN extended community', () => {
    const u = update({
      attributes: [
        attrs.origin(0),
        attrs.asPath([65001, 4_200_000_000]),
        attrs.localPref(100),
        attrs.med(5),
        attrs.communities(['65000:1']),
        attrs.large(['65000:1:2']),
        attrs.originatorId('10.0.0.9'),
        attrs.clusterList(['10.0.0.100', '10.0.0.101']),
        attrs.ext([
          ext.rt('65000:10100'),
          ext.rt('10.0.0.1:5'),
          ext.rt('4200000000:7'),
          ext.macMobility(3, true),
          ext.esiLabel(100, true),
          ext.esImport('00:11:22:33:44:55'),
          ext.routerMac('02:00:00:aa:bb:cc'),
          ext.defaultGateway(),
          ext.encap(8),
          ext.raw(Buffer.from('0302000000000001', 'hex')),
        ]),
        attrs.mpReach('10.0.0.1', [
          evpn.macIp({
            rd: '10.0.0.1:5',
            esi: '00:11:22:33:44:55:66:77:88:99',
            etag: 0,
            mac: 'AA:BB:CC:DD:EE:01',
            ip: '192.168.1.10',
            label1: 10100,
            label2: 50000,
          }),
        ]),
      ],
    });
    const d = rm(u);
    expect(d.advertised).toHaveLength(1);
    expect(d.advertised[0]).toMatchObject({
      routeType: 2,
      rd: '10.0.0.1:5',
      esi: '00:11:22:33:44:55:66:77:88:99',
      esiType: 0,
      mac: 'aa:bb:cc:dd:ee:01',
      ip: '192.168.1.10',
      labels: [10100, 50000],
      key: '2:10.0.0.1:5:0:aa:bb:cc:dd:ee:01:192.168.1.10',
    });
    const a = d.attributes;
    expect(a).toMatchObject({
      origin: 0,
      asPath: [65001, 4_200_000_000],
      localPref: 100,
      med: 5,
      nextHop: '10.0.0.1',
      communities: ['65000:1'],
      largeCommunities: ['65000:1:2'],
      originatorId: '10.0.0.9',
      clusterList: ['10.0.0.100', '10.0.0.101'],
    });
    expect(a.extCommunities).toMatchObject({
      routeTargets: ['65000:10100', '10.0.0.1:5', '4200000000:7'],
      macMobility: { sticky: true, seq: 3 },
      esiLabel: { singleActive: true, label: 100 },
      esImportRt: '00:11:22:33:44:55',
      routerMac: '02:00:00:aa:bb:cc',
      defaultGateway: true,
      encapsulations: [8],
    });
    expect(a.extCommunities.raw).toEqual([{ type: 0x0302, value: Buffer.from('0302000000000001', 'hex') }]);
  });

  it('decodes route types 1, 3 (with PMSI), 4 and 5 (IPv4 and IPv6), and IPv6 next hops', () => {
    const d = rm(
      update({
        attributes: [
          attrs.pmsi({ tunnelType: 6, label: 10100, tunnelId: '10.0.0.1' }),
          attrs.mpReach('2001:db8::1', [
            evpn.ad({ rd: '65000:1', esi: '01:aa:bb:cc:dd:ee:ff:00:01:00', etag: 0xffffffff, label: 0 }),
            evpn.imet({ rd: '65000:1', etag: 0, originator: '10.0.0.1' }),
            evpn.es({ rd: '65000:1', esi: '03:00:11:22:33:44:55:00:00:01', originator: '2001:db8::1' }),
            evpn.prefix({ rd: '65000:2', prefix: '10.1.0.0/24', gateway: '0.0.0.0', label: 5000 }),
            evpn.prefix({ rd: '65000:2', prefix: '2001:db8:1::/64', label: 5001 }),
            evpn.macIp({ rd: '65000:1', mac: '00:00:00:00:00:01', ip: '2001:db8::10', label1: 1 }),
          ]),
        ],
      }),
    );
    expect(d.attributes.nextHop).toBe('2001:db8::1');
    expect(d.attributes.pmsi).toEqual({ flags: 0, tunnelType: 6, label: 10100, tunnelId: '10.0.0.1' });
    expect(d.advertised.map((r) => [r.routeType, r.key])).toEqual([
      [1, '1:65000:1:01:aa:bb:cc:dd:ee:ff:00:01:00:4294967295'],
      [3, '3:65000:1:0:10.0.0.1'],
      [4, '4:65000:1:03:00:11:22:33:44:55:00:00:01:2001:db8::1'],
      [5, '5:65000:2:0:10.1.0.0/24'],
      [5, '5:65000:2:0:2001:db8:1::/64'],
      [2, '2:65000:1:0:00:00:00:00:00:01:2001:db8::10'],
    ]);
    expect(d.advertised[0]).toMatchObject({ esiType: 1, ethernetTag: 0xffffffff });
    expect(d.advertised[2]).toMatchObject({ esiType: 3, originatorIp: '2001:db8::1' });
    expect(d.advertised[3]).toMatchObject({ prefix: '10.1.0.0/24', gatewayIp: '0.0.0.0', labels: [5000] });
  });

  it.each([0, 1, 2, 3, 4, 5])('renders ESI type %i as 10 hex bytes and keeps its type', (t) => {
    const e = `0${t}:01:02:03:04:05:06:07:08:09`;
    const d = rm(update({ attributes: [attrs.mpReach('10.0.0.1', [evpn.ad({ rd: '1:1', esi: e, etag: 0, label: 0 })])] }));
    expect(d.advertised[0]).toMatchObject({ esi: e, esiType: t });
  });

  it('skips an unknown route type by its length and keeps decoding the routes after it', () => {
    const d = rm(
      update({
        attributes: [attrs.mpReach('10.0.0.1', [evpn.raw(9, Buffer.from([1, 2, 3])), evpn.macIp({ rd: '1:1', mac: '00:00:00:00:00:02', label1: 7 })])],
      }),
    );
    expect(d.advertised.map((r) => r.routeType)).toEqual([9, 2]);
    expect(d.advertised[0]!.raw).toEqual(Buffer.from([1, 2, 3]));
  });

  it('decodes withdrawals with the same key as the advertisement', () => {
    const r = { rd: '1:1', mac: '00:00:00:00:00:03', ip: '10.0.0.3', label1: 7 };
    const adv = rm(update({ attributes: [attrs.mpReach('10.0.0.1', [evpn.macIp(r)])] })).advertised[0]!;
    const wd = rm(update({ attributes: [attrs.mpUnreach([evpn.macIp({ ...r, label1: 0 })])] })).withdrawn[0]!;
    expect(wd.key).toBe(adv.key);
  });

  it('reads ADD-PATH path identifiers only when negotiated', () => {
    const u = update({ attributes: [attrs.mpReach('10.0.0.1', [evpn.macIp({ rd: '1:1', mac: '00:00:00:00:00:04', label1: 7 }, 77)])] });
    expect(decodeBgpUpdate(u, { fourOctetAs: true, addPath: new Set(['25/70']) }).advertised[0]!.pathId).toBe(77);
    // Read without path ids, the NLRI do not parse: RFC 7606 AFI/SAFI disable, no route advertised.
    const wrong = decodeBgpUpdate(u, noAddPath);
    expect(strongestHandling(wrong)).toBe(ErrorHandling.AfiSafiDisable);
    expect(wrong.advertised).toEqual([]);
  });

  it('reads 2-byte AS_PATH when 4-octet AS is not negotiated, and AS4_PATH replaces it', () => {
    const u = update({ attributes: [attrs.asPath([23456, 65002], false), attrs.mpReach('10.0.0.1', [])] });
    expect(decodeBgpUpdate(u, { fourOctetAs: false, addPath: new Set() }).attributes.asPath).toEqual([23456, 65002]);
    const as4 = update({
      attributes: [attrs.asPath([23456], false), Buffer.concat([Buffer.from([0xc0, 17, 6, 2, 1]), Buffer.from([0xfa, 0x56, 0xea, 0x00])])],
    });
    expect(decodeBgpUpdate(as4, { fourOctetAs: false, addPath: new Set() }).attributes.asPath).toEqual([4_200_000_000]);
  });

  it('recognises End-of-RIB markers', () => {
    expect(rm(update()).endOfRib).toBe('1/1');
    expect(rm(update({ attributes: [attrs.mpUnreach([])] })).endOfRib).toBe('25/70');
  });

  it('skips other address families cleanly and counts them', () => {
    const v6 = Buffer.from([64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0]);
    const d = rm(update({ attributes: [attrs.mpReach('2001:db8::1', [v6], 2, 1)] }));
    expect(d.other).toEqual([{ afi: 2, safi: 1, bytes: 9, withdrawn: false }]);
    expect(d.advertised).toEqual([]);
  });

  it('keeps unknown path attributes raw and honours the extended-length flag', () => {
    const big = Buffer.alloc(300, 7);
    const d = rm(update({ attributes: [attrs.mpReach('10.0.0.1', []), Buffer.concat([Buffer.from([0xd0, 99, 1, 44]), big])] }));
    expect(d.attributes.raw).toEqual([{ flags: 0xd0, type: 99, value: big }]);
  });

  it.each([
    [
      'a total path attribute length past the UPDATE',
      (u: Buffer) => {
        u.writeUInt16BE(0xffff, 21);
        return u;
      },
      ErrorHandling.SessionReset,
    ],
    [
      'an NLRI length past its attribute',
      (u: Buffer) => {
        u[u.length - 34] = 0xf0;
        return u;
      },
      ErrorHandling.AfiSafiDisable,
    ],
    [
      'a bad BGP marker',
      (u: Buffer) => {
        u[3] = 0;
        return u;
      },
      ErrorHandling.SessionReset,
    ],
    [
      'a BGP length shorter than the header',
      (u: Buffer) => {
        u.writeUInt16BE(10, 16);
        return u;
      },
      ErrorHandling.SessionReset,
    ],
  ])('returns an RFC 7606 error with an offset for %s', (_what, corrupt, handling) => {
    const u = corrupt(Buffer.from(type2Update({ nextHop: '10.0.0.1', routes: [{ rd: '1:1', mac: '00:00:00:00:00:05', label1: 1 }] })));
    const d = rm(u);
    expect(strongestHandling(d)).toBe(handling);
    expect(d.advertised).toEqual([]);
    expect(typeof d.errors![0]!.context.offset).toBe('number');
    expect(d.errors![0]!.context.hex!.length).toBeLessThanOrEqual(128);
  });

  it('disables the family for a MAC length other than 48 (the NLRI cannot be trusted)', () => {
    const r = Buffer.from(evpn.macIp({ rd: '1:1', mac: '00:00:00:00:00:06', label1: 1 }));
    r[2 + 22] = 40;
    const d = rm(update({ attributes: [attrs.mpReach('10.0.0.1', [r])] }));
    expect(strongestHandling(d)).toBe(ErrorHandling.AfiSafiDisable);
    expect(d.errors![0]!.message).toMatch(/MAC length 40, expected 48/);
  });

  it('decodes a whole BGP message only when it is an UPDATE', () => {
    const d = rm(bgpMessage(4, Buffer.alloc(0)));
    expect(strongestHandling(d)).toBe(ErrorHandling.SessionReset);
    expect(d.errors![0]!.message).toMatch(/expected a BGP UPDATE/);
  });
});
