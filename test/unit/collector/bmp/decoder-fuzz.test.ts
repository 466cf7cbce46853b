import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BmpFrameDecoder } from '../../../../collector/bmp/index.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { attr, attrs, bmpMsg, evpn, ext, open, statValue, type2Update, update } from '../../../fixtures/bmp/builders.js';
import { mutate } from '../../../fixtures/bmp/mutate.js';
import { decodeOutcome } from '../../../support/decode-outcome.js';
import { mulberry32 as rng } from '../../../support/rng.js';
import { sessionHarness } from '../../../support/session-harness.js';

const seeds: Buffer[] = [
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
        attrs.origin(0),
        attrs.asPath([65001]),
        attrs.localPref(100),
        attr(6, Buffer.alloc(0)), // ATOMIC_AGGREGATE and AGGREGATOR: their errors are attribute-discard
        attr(7, Buffer.alloc(8), 0xc0),
        attrs.pmsi({ tunnelType: 6, label: 1, tunnelId: '10.0.0.1' }),
        attrs.ext([ext.rt('1:1'), ext.esiLabel(1), ext.routerMac('00:00:00:00:00:01'), ext.defaultGateway(), ext.encap(10)]),
        attrs.prefixSidSrv6({ service: 'l2', sid: 'fc00:0:1::', transposition: { length: 16, offset: 64 } }),
        attrs.mpReach('2001:db8::1', [
          evpn.ad({ rd: '1:1', esi: '01:00:00:00:00:00:00:00:00:01', etag: 1, label: 1 }),
          evpn.imet({ rd: '1:1', etag: 0, originator: '10.0.0.1' }),
          evpn.es({ rd: '1:1', esi: '01:00:00:00:00:00:00:00:00:01', originator: '10.0.0.1' }),
          evpn.prefix({ rd: '1:1', prefix: '10.0.0.0/8', label: 1 }),
          evpn.raw(10, Buffer.alloc(14, 1)),
        ]),
        attrs.mpUnreach([evpn.macIp({ rd: '1:1', mac: '00:00:00:00:00:03', label1: 0 })]),
      ],
    }),
  }),
];

/** Keeps an input that broke an invariant in the corpus (test/fixtures/corpus/bmp/README.md) and names it. */
function keep(input: Buffer): string {
  const name = `crash-${createHash('sha1').update(input).digest('hex')}.bin`;
  writeFileSync(join(import.meta.dirname, '../../../fixtures/corpus/bmp', name), input);
  return name;
}

describe('decoder fuzz', () => {
  it('holds its invariants on 100,000 mutated messages: no internal error, deterministic, errors classed and located', () => {
    const next = rng(0xbead);
    const tally = { framing: 0, messageErrors: 0, updates: 0, classes: new Map<string, number>(), routes: 0 };
    const started = Date.now();
    for (let i = 0; i < 100_000; i++) {
      const input = mutate(next, seeds[i % seeds.length]!);
      const addPath = i % 2 === 1;
      const { outcome, violations } = decodeOutcome(input, addPath);
      if (violations.length > 0) throw new Error(`input ${i} broke the decoder's invariants (${violations.join('; ')}); kept as ${keep(input)}`);
      if (i % 10 === 0) expect(decodeOutcome(input, addPath).outcome).toEqual(outcome); // same bytes, same result
      if (outcome.framing) tally.framing++;
      for (const m of outcome.messages) {
        if (typeof m === 'string') {
          if (m.endsWith('Error')) tally.messageErrors++;
          continue;
        }
        tally.updates++;
        tally.routes += m.update.advertised + m.update.withdrawn;
        if (m.update.class) tally.classes.set(m.update.class, (tally.classes.get(m.update.class) ?? 0) + 1);
      }
    }
    // The mutations reach every path: framing errors, messages that do not decode, and each RFC 7606 class; and
    // plenty of input still decodes into routes.
    expect(tally.framing).toBeGreaterThan(1_000);
    expect(tally.messageErrors).toBeGreaterThan(2_000);
    for (const cls of ['treat-as-withdraw', 'attribute-discard', 'afi-safi-disable', 'session-reset'])
      expect(tally.classes.get(cls) ?? 0, cls).toBeGreaterThan(20);
    expect(tally.routes).toBeGreaterThan(3_000);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('never makes a session throw, and publishes only events that decode and make sense', () => {
    const next = rng(0x5e55);
    let h = sessionHarness();
    const events: { topic: string; value: Record<string, any> }[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i % 50 === 0) {
        // A fresh router now and then: a peer disabled by a session-reset UPDATE ignores the rest.
        events.push(...h.publisher.events);
        h = sessionHarness();
        h.session.handle(bmpMsg.peerUp({ sent: open({ asn: 65000, bgpId: '1.1.1.1' }) }));
      }
      const input = mutate(next, seeds[i % seeds.length]!);
      let frames: Buffer[] = [];
      try {
        frames = new BmpFrameDecoder(1 << 20).push(input);
      } catch {
        continue; // a framing error ends a TCP session, not the process: the server's concern
      }
      for (const m of frames) {
        try {
          h.session.handle(m);
        } catch (err) {
          throw new Error(`input ${i} made the session throw; kept as ${keep(input)}`, { cause: err });
        }
      }
    }
    // RecordingPublisher decoded each event with the generated codec as it was published.
    events.push(...h.publisher.events);
    const routes = events.filter((e) => e.topic === TOPICS.routes).map((e) => e.value);
    expect(routes.length).toBeGreaterThan(1_000);
    for (const r of routes) {
      expect(r.routeType).toBeGreaterThan(0); // type 0 is never published
      expect(r.routeKey).toMatch(new RegExp(`^${r.routeType}:`));
      expect(r.encapsulation).toMatch(/^ENCAPSULATION_(VXLAN|MPLS|SRV6)$/);
      if (r.encapsulation !== 'ENCAPSULATION_VXLAN') expect(r.vni ?? 0).toBe(0); // only VXLAN has VNIs
    }
  });
});
