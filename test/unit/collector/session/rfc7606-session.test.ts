import { describe, expect, it } from 'vitest';
import { attr, attrs, bmpMsg, evpn, ext, open, type PeerOpts, update } from '../../../fixtures/bmp/builders.js';
import { sessionHarness } from '../../../support/session-harness.js';

// What reaches Kafka when an UPDATE is malformed (RFC 7606): the routes it concerns are withdrawn downstream, never
// left in the index.

const PEER: PeerOpts = { address: '10.9.9.9', bgpId: '10.9.9.9' };
const POST: PeerOpts = { ...PEER, flags: 0x40 };
const mac = (n: string) => `02:00:00:00:00:${n}`;
const t2 = (n: string, label = 10100) => evpn.macIp({ rd: '10.0.0.1:1', mac: mac(n), label1: label });
const goodAttrs = [attrs.origin(0), attrs.asPath([65001]), attrs.ext([ext.rt('65000:10100'), ext.encap(8)])];
const advertise = (peer: PeerOpts, ...names: string[]) =>
  bmpMsg.routeMonitoring({
    peer,
    update: update({
      attributes: [
        ...goodAttrs,
        attrs.localPref(100),
        attrs.mpReach(
          '10.0.0.1',
          names.map((n) => t2(n)),
        ),
      ],
    }),
  });

function routerUp() {
  const h = sessionHarness();
  h.session.handle(bmpMsg.initiation({ sysName: 'leaf1' }));
  h.session.handle(bmpMsg.peerUp({ peer: PEER, sent: open({ asn: 65000, bgpId: '10.1.0.1' }) }));
  return h;
}

const summary = (e: Record<string, any>) => `${e.action === 'ROUTE_ACTION_ADVERTISE' ? 'adv' : 'wd'} ${e.mac.slice(-2)}${e.reason ? ` ${e.reason}` : ''}`;

describe('BMP session: RFC 7606 on UPDATEs built in code', () => {
  it('withdraws downstream the EVPN routes of an UPDATE with a bad attribute length (treat-as-withdraw)', async () => {
    const h = routerUp();
    h.session.handle(advertise(PEER, '01'));
    // The same route and a new one, with LOCAL_PREF 3 bytes long: the advertisement cannot be trusted.
    h.session.handle(
      bmpMsg.routeMonitoring({
        peer: PEER,
        update: update({ attributes: [...goodAttrs, attr(5, Buffer.alloc(3)), attrs.mpReach('10.0.0.1', [t2('01'), t2('02')])] }),
      }),
    );
    expect(h.routes().map(summary)).toEqual(['adv 01', 'wd 01 WITHDRAW_REASON_TREAT_AS_WITHDRAW', 'wd 02 WITHDRAW_REASON_TREAT_AS_WITHDRAW']);
    // The withdrawal of the held route says where it was (its advertisement's next hop and VNI), as any withdrawal.
    expect(h.routes()[1]).toMatchObject({ nextHop: '10.0.0.1', vni: 10100 });
    expect(await h.metric('evpnlens_bgp_update_errors_total', '{class="treat-as-withdraw"}')).toBe(1);
    // The peer is not disabled: its next good UPDATE is taken.
    h.session.handle(advertise(PEER, '02'));
    expect(h.routes().map(summary).at(-1)).toBe('adv 02');
  });

  it('withdraws the peer’s EVPN routes on a malformed MP_REACH_NLRI and ignores the peer until its next Peer Up', async () => {
    const h = routerUp();
    h.session.handle(advertise(PEER, '01', '02'));
    h.session.handle(advertise(POST, '01')); // the same peer's post-policy view
    h.session.handle(advertise({ address: '10.9.9.8', bgpId: '10.9.9.8' }, '05')); // another peer
    // An EVPN route whose length runs past the MP_REACH_NLRI: nothing in it can be trusted.
    const broken = attr(14, Buffer.concat([Buffer.from([0, 25, 70, 4, 10, 0, 0, 1, 0]), t2('03'), Buffer.from([2, 60, 1, 2])]), 0x90);
    h.session.handle(bmpMsg.routeMonitoring({ peer: PEER, update: update({ attributes: [...goodAttrs, broken] }) }));
    expect(h.routes().map(summary).slice(4)).toEqual([
      'wd 01 WITHDRAW_REASON_AFI_SAFI_DISABLED',
      'wd 02 WITHDRAW_REASON_AFI_SAFI_DISABLED',
      'wd 01 WITHDRAW_REASON_AFI_SAFI_DISABLED',
    ]);
    expect(
      h
        .routes()
        .slice(4)
        .map((e) => e.peer.ribView),
    ).toEqual(['RIB_VIEW_ADJ_RIB_IN_PRE', 'RIB_VIEW_ADJ_RIB_IN_PRE', 'RIB_VIEW_ADJ_RIB_IN_POST']);
    expect(h.sessions().at(-1)).toMatchObject({ kind: 'SESSION_EVENT_KIND_PEER_AFI_SAFI_DISABLED', peer: { address: '10.9.9.9' } });
    expect(await h.metric('evpnlens_bgp_update_errors_total', '{class="afi-safi-disable"}')).toBe(1);

    // Until its next Peer Up the peer's UPDATEs are ignored (counted), other peers' are not.
    const before = h.routes().length;
    h.session.handle(advertise(PEER, '04'));
    expect(h.routes()).toHaveLength(before);
    expect(await h.metric('evpnlens_bgp_updates_ignored_total', '{reason="afi-safi-disable"}')).toBe(1);
    h.session.handle(advertise({ address: '10.9.9.8', bgpId: '10.9.9.8' }, '06'));
    expect(h.routes().map(summary).at(-1)).toBe('adv 06');

    // Peer Up: the router re-sends the peer's table, which is taken again.
    h.session.handle(bmpMsg.peerUp({ peer: PEER, sent: open({ asn: 65000, bgpId: '10.1.0.1' }) }));
    h.session.handle(advertise(PEER, '01', '04'));
    expect(h.routes().map(summary).slice(-2)).toEqual(['adv 01', 'adv 04']);
  });

  it('publishes the withdrawals of an UPDATE whose MP_UNREACH_NLRI is fine and whose other attributes are broken', async () => {
    const h = routerUp();
    h.session.handle(advertise(PEER, '01', '02'));
    h.session.handle(
      bmpMsg.routeMonitoring({
        peer: PEER,
        // ORIGIN 7 and COMMUNITIES of 3 bytes: malformed; MP_UNREACH_NLRI: fine.
        update: update({ attributes: [attr(1, Buffer.from([7])), attr(8, Buffer.alloc(3), 0xc0), attrs.mpUnreach([t2('01', 0), t2('02', 0)])] }),
      }),
    );
    expect(h.routes().map(summary)).toEqual(['adv 01', 'adv 02', 'wd 01 WITHDRAW_REASON_EXPLICIT', 'wd 02 WITHDRAW_REASON_EXPLICIT']);
    expect(await h.metric('evpnlens_bgp_update_errors_total', '{class="treat-as-withdraw"}')).toBe(2);
  });

  it('treats an UPDATE it cannot frame as a session reset of that peer', async () => {
    const h = routerUp();
    h.session.handle(advertise(PEER, '01'));
    const u = Buffer.from(update({ attributes: [...goodAttrs, attrs.mpReach('10.0.0.1', [t2('02')])] }));
    u.writeUInt16BE(0xffff, 21); // total path attribute length past the UPDATE
    h.session.handle(bmpMsg.routeMonitoring({ peer: PEER, update: u }));
    expect(h.routes().map(summary)).toEqual(['adv 01', 'wd 01 WITHDRAW_REASON_AFI_SAFI_DISABLED']);
    expect(await h.metric('evpnlens_bgp_update_errors_total', '{class="session-reset"}')).toBe(1);
  });

  it('uses an UPDATE whose broken attribute is only discarded', async () => {
    const h = routerUp();
    h.session.handle(
      bmpMsg.routeMonitoring({ peer: PEER, update: update({ attributes: [...goodAttrs, attr(6, Buffer.alloc(2)), attrs.mpReach('10.0.0.1', [t2('01')])] }) }),
    );
    expect(h.routes().map(summary)).toEqual(['adv 01']);
    expect(await h.metric('evpnlens_bgp_update_errors_total', '{class="attribute-discard"}')).toBe(1);
  });
});
