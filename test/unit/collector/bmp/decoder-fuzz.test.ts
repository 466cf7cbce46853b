import { describe, expect, it } from 'vitest';
import { BmpFrameDecoder, DecodeError, decodeBgpUpdate, decodeBmpMessage } from '../../../../collector/bmp/index.js';
import { attrs, bmpMsg, evpn, ext, open, statValue, type2Update, update } from '../../../fixtures/bmp/builders.js';
import { mulberry32 as rng } from '../../../support/rng.js';

const corpus: Buffer[] = [
  bmpMsg.initiation({ sysName: 'leaf1', sysDescr: 'x', strings: ['s'] }),
  bmpMsg.termination(1, 'bye'),
  bmpMsg.peerUp({ sent: open({ asn: 65000, bgpId: '1.1.1.1', addPath: [{ afi: 25, safi: 70, mode: 3 }] }), tableName: 't' }),
  bmpMsg.peerDown({ reason: 1, data: Buffer.from('ffffffffffffffffffffffffffffffff0015030602', 'hex') }),
  bmpMsg.stats({
    stats: [
      { type: 0, value: statValue.u32(1) },
      { type: 9, value: statValue.afiSafi(25, 70, 5n) },
    ],
  }),
  bmpMsg.mirroring({ bgp: [update()], info: [0] }),
  bmpMsg.routeMonitoring({
    update: type2Update({
      nextHop: '10.0.0.1',
      routes: [
        { rd: '1:1', mac: '00:00:00:00:00:01', ip: '10.1.1.1', label1: 10100 },
        { rd: '1:1', mac: '00:00:00:00:00:02', label1: 10100 },
      ],
      seq: 1,
    }),
  }),
  bmpMsg.routeMonitoring({
    update: update({
      attributes: [
        attrs.pmsi({ tunnelType: 6, label: 1, tunnelId: '10.0.0.1' }),
        attrs.ext([ext.rt('1:1'), ext.esiLabel(1), ext.routerMac('00:00:00:00:00:01'), ext.defaultGateway()]),
        attrs.mpReach('2001:db8::1', [
          evpn.ad({ rd: '1:1', esi: '01:00:00:00:00:00:00:00:00:01', etag: 1, label: 1 }),
          evpn.imet({ rd: '1:1', etag: 0, originator: '10.0.0.1' }),
          evpn.es({ rd: '1:1', esi: '01:00:00:00:00:00:00:00:00:01', originator: '10.0.0.1' }),
          evpn.prefix({ rd: '1:1', prefix: '10.0.0.0/8', label: 1 }),
        ]),
        attrs.mpUnreach([evpn.macIp({ rd: '1:1', mac: '00:00:00:00:00:03', label1: 0 })]),
      ],
    }),
  }),
];

function mutate(next: () => number, src: Buffer): Buffer {
  const b = Buffer.from(src);
  switch (Math.floor(next() * 4)) {
    case 0: // bit flips
      for (let i = 0, n = 1 + Math.floor(next() * 4); i < n; i++) b[Math.floor(next() * b.length)]! ^= 1 << Math.floor(next() * 8);
      return b;
    case 1: {
      // truncation, with the BMP length patched to match so the body decoders see it
      const t = b.subarray(0, 6 + Math.floor(next() * (b.length - 6)));
      t.writeUInt32BE(t.length, 1);
      return t;
    }
    case 2: {
      // a bad length byte somewhere in the body
      const i = 6 + Math.floor(next() * (b.length - 6));
      b[i] = Math.floor(next() * 256);
      return b;
    }
    default: {
      // random bytes after a valid header
      for (let i = 6; i < b.length; i++) if (next() < 0.1) b[i] = Math.floor(next() * 256);
      return b;
    }
  }
}

describe('decoder fuzz', () => {
  it('turns 100,000 mutated messages into results or DecodeErrors, never a crash or a hang', () => {
    const next = rng(0xbead);
    const opts = { fourOctetAs: true, addPath: new Set<string>() };
    const counts = { ok: 0, decodeErrors: 0 };
    const started = Date.now();
    for (let i = 0; i < 100_000; i++) {
      const input = mutate(next, corpus[i % corpus.length]!);
      try {
        const framer = new BmpFrameDecoder(1 << 20);
        for (const m of framer.push(input)) {
          const msg = decodeBmpMessage(m);
          if (msg.kind === 'route-monitoring') decodeBgpUpdate(msg.bgp, i % 2 ? opts : { fourOctetAs: false, addPath: new Set(['25/70']) }, msg.bgpOffset);
        }
        counts.ok++;
      } catch (err) {
        if (!(err instanceof DecodeError)) throw new Error(`input ${i} (${input.toString('hex')}) threw a non-decode error`, { cause: err });
        counts.decodeErrors++;
      }
    }
    expect(counts.ok + counts.decodeErrors).toBe(100_000);
    expect(counts.decodeErrors).toBeGreaterThan(10_000);
    expect(counts.ok).toBeGreaterThan(10_000);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
