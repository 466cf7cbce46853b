/**
 * applyEvents and applyRouteChanges copy only the parts of a stored item they change in place (not structuredClone):
 * whatever the events, the stored item the caller passed in, and still reads, is left exactly as it was, and the
 * result is the one a deep copy gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRouteChanges, type RouteChange } from '../../../../functions/health/route-presence.js';
import { applyEvents, type MacRouteChange } from '../../../../functions/mac-index/apply-events.js';
import { DEFAULT_OPTIONS } from '../../../../functions/mac-index/options.js';
import { ordOf } from '../../../../functions/mac-index/route-changes.js';
import { PROPERTY_VTEPS } from '../../../support/route-events.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const VTEPS = PROPERTY_VTEPS;

const step = fc.record({
  vtep: fc.integer({ min: 0, max: VTEPS.length - 1 }),
  router: fc.constantFrom('10.9.0.1', '10.9.0.2'),
  view: fc.integer({ min: 1, max: 3 }),
  withdraw: fc.boolean(),
  seq: fc.integer({ min: 0, max: 3 }),
  sticky: fc.boolean(),
  /** A re-send of the same event (a duplicate) or one with a fresh router stamp. */
  again: fc.constantFrom('no', 'duplicate', 'restamped'),
  gapMs: fc.integer({ min: 0, max: 400_000 }),
});

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function macChanges(steps: Step[]): MacRouteChange[] {
  let at = T0;
  let n = 0;
  const out: MacRouteChange[] = [];
  for (const s of steps) {
    at += s.gapMs;
    const v = VTEPS[s.vtep]!;
    const ev: MacRouteChange = {
      mac: '02:aa:00:00:00:01',
      vni: 100,
      advertise: !s.withdraw,
      pathKey: `${s.router}|10.9.0.100||${s.view}||0|[2][${v.vtep}:100]`,
      router: s.router,
      fabric: v.fabric,
      vtep: v.vtep,
      esi: v.esi,
      seq: s.seq,
      sticky: s.sticky,
      ip: s.view === 3 ? '10.0.0.7' : '',
      ord: ordOf(BigInt(++n)),
      atMs: at,
      routerMs: at - 50,
    };
    out.push(ev);
    if (s.again === 'duplicate') out.push({ ...ev });
    if (s.again === 'restamped') out.push({ ...ev, ord: ordOf(BigInt(++n)), routerMs: at - 10 });
  }
  return out;
}

describe('applying events to a stored item', () => {
  it('leaves the stored MAC item as it was, and gives what a deep copy of it gives', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 39 }), (steps, cut) => {
        const events = macChanges(steps);
        const at = Math.min(cut, events.length - 1) || events.length;
        // The stored item: what the first events made (paths, tombstones, moves, alerts), as a store would return it.
        const stored = JSON.parse(JSON.stringify(applyEvents(undefined, events.slice(0, at), DEFAULT_OPTIONS).item));
        const before = structuredClone(stored);
        const rest = events.slice(at).length ? events.slice(at) : events.slice(0, 1);
        const r = applyEvents(stored, rest, DEFAULT_OPTIONS);
        expect(stored).toEqual(before);
        expect(r).toEqual(applyEvents(structuredClone(before), rest, DEFAULT_OPTIONS));
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the stored route item as it was', () => {
    const change = fc.record({ reporter: fc.constantFrom('a', 'b', 'c'), advertise: fc.boolean(), vtep: fc.constantFrom('10.1.0.1', '10.1.0.2') });
    fc.assert(
      fc.property(fc.array(change, { minLength: 2, maxLength: 20 }), (cs) => {
        const changes: RouteChange[] = cs.map((c, i) => ({
          fabric: 'dc1',
          routeKey: '[2][10.1.0.1:100][0][48][02:aa:00:00:00:01][0]',
          type: 2,
          reporter: c.reporter,
          ord: ordOf(BigInt(i + 1)),
          advertise: c.advertise,
          vtep: c.vtep,
          vni: 100,
          macOnly: true,
          atMs: T0 + i * 1000,
          source: 'evpn.routes.v1-0',
          offset: i,
        }));
        const half = Math.ceil(changes.length / 2);
        const stored = JSON.parse(JSON.stringify(applyRouteChanges(undefined, changes.slice(0, half)).item));
        const before = structuredClone(stored);
        applyRouteChanges(stored, changes.slice(half));
        expect(stored).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
