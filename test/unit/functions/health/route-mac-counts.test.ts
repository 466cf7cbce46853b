/**
 * MACs a VTEP advertises per VNI, from type-2 routes: one MAC-only route (RFC 7432 §7.2, IP Address Length 0) per MAC;
 * its MAC/IP routes (§9.1) are not counted again, and a withdrawal by every reporter takes it back.
 */
import { describe, expect, it } from 'vitest';
import { applyRouteChanges, routeChangeOf } from '../../../../functions/health/route-presence.js';
import { RouteAction, type RouteEvent } from '../../../../schemas/events.js';

let seq = 0;
function type2(mac: string, ip: string, o: { withdraw?: boolean; router?: string; vni?: number } = {}): RouteEvent {
  return {
    fabric: 'f1',
    router: { address: '127.0.0.1', bgpId: o.router ?? '10.0.0.1' },
    peer: { address: '10.0.0.12', ribView: 0 },
    collectorSeq: ++seq,
    action: o.withdraw ? RouteAction.ROUTE_ACTION_WITHDRAW : RouteAction.ROUTE_ACTION_ADVERTISE,
    routeType: 2,
    routeKey: `2:10.0.0.12:100:0:${mac}:${ip}`,
    vni: o.vni ?? 10100,
    mac,
    ip,
    nextHop: '10.0.0.12',
  } as unknown as RouteEvent;
}
const rec = (offset: number) => ({ timestamp: 1_700_000_000_000, topic: 'evpn.routes.v1', partition: 0, offset });
const macEffects = (events: RouteEvent[]) => {
  let item: Parameters<typeof applyRouteChanges>[0];
  const out: [string, number, number][] = [];
  for (const [i, ev] of events.entries()) {
    const r = applyRouteChanges(item, [routeChangeOf(ev, rec(i))!]);
    item = r.item;
    for (const e of r.effects) if (e.kind === 'mac') out.push([e.vtep!, e.key, e.delta]);
  }
  return out;
};

describe('MACs per VTEP and VNI from type-2 routes', () => {
  it('counts a MAC-only route once, and takes it back when every reporter withdrew it', () => {
    expect(macEffects([type2('aa:bb:cc:00:00:01', ''), type2('aa:bb:cc:00:00:01', '', { router: '10.0.0.2' })])).toEqual([['10.0.0.12', 10100, 1]]);
    expect(macEffects([type2('aa:bb:cc:00:00:02', ''), type2('aa:bb:cc:00:00:02', '', { withdraw: true })])).toEqual([
      ['10.0.0.12', 10100, 1],
      ['10.0.0.12', 10100, -1],
    ]);
  });

  it("counts a MAC in its VNI even when the first reporter's copy gives none (lost the VXLAN encapsulation), and takes it back once", () => {
    const mac = 'aa:bb:cc:00:00:04';
    expect(
      macEffects([
        type2(mac, '', { router: '10.0.0.3', vni: 0 }),
        type2(mac, '', { router: '10.0.0.1' }),
        type2(mac, '', { router: '10.0.0.1', withdraw: true }),
        type2(mac, '', { router: '10.0.0.3', vni: 0, withdraw: true }),
      ]),
    ).toEqual([
      ['10.0.0.12', 10100, 1],
      ['10.0.0.12', 10100, -1],
    ]);
  });

  it('does not count a MAC/IP route (the MAC is counted by its MAC-only route)', () => {
    expect(macEffects([type2('aa:bb:cc:00:00:03', '10.1.0.3')])).toEqual([]);
  });
});
