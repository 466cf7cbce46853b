import { describe, expect, it } from 'vitest';
import { ErrorHandling } from '../../../../collector/bmp/errors.js';
import { decodeEvpnNlri } from '../../../../collector/bmp/evpn/nlri.js';
import { Reader } from '../../../../collector/bmp/reader.js';
import type { EvpnRoute, PerPeerHeader } from '../../../../collector/bmp/types.js';
import { type RouteChangeSink, RouterRib, routeOfEntry, type ViewState } from '../../../../collector/state/router-rib.js';
import { RibView, WithdrawReason } from '../../../../schemas/events.js';
import { evpn } from '../../../fixtures/bmp/builders.js';

// The RIB alone: no sockets, timers, clocks or Kafka. Inputs are decoded messages, outputs the changes its sink records.

interface Attrs {
  key: string;
}
const A1: Attrs = { key: 'attrs-1' };
const A2: Attrs = { key: 'attrs-2' };

const peerHeader = (address: string, peerType = 0): PerPeerHeader => ({
  peerType,
  flags: 0,
  ipv6: false,
  postPolicy: false,
  legacyAsPath: false,
  adjRibOut: false,
  distinguisher: '',
  address,
  asn: 65001,
  bgpId: address,
  timestampUs: 0n,
});
const PEERS = { p1: peerHeader('10.0.0.1'), p2: peerHeader('10.0.0.2') };
type PeerName = keyof typeof PEERS;
/** A view: a peer and its RIB view (pre/post-policy). */
const VIEWS = {
  pre: { peer: 'p1', ribView: RibView.RIB_VIEW_ADJ_RIB_IN_PRE },
  post: { peer: 'p1', ribView: RibView.RIB_VIEW_ADJ_RIB_IN_POST },
  other: { peer: 'p2', ribView: RibView.RIB_VIEW_ADJ_RIB_IN_PRE },
} as const;
type ViewName = keyof typeof VIEWS;

/** Type-2 routes named by the last byte of their MAC ("01" → 02:00:00:00:00:01). */
function route(name: string, label = 10100): EvpnRoute {
  const out: EvpnRoute[] = [];
  const bytes = evpn.macIp({ rd: '10.0.0.9:1', mac: `02:00:00:00:00:${name}`, label1: label });
  decodeEvpnNlri(new Reader(bytes, 0, bytes.length), false, out);
  return out[0]!;
}

type Step =
  | { update: ViewName; adv?: string[]; wd?: string[]; attrs?: Attrs; handling?: ErrorHandling; eor?: boolean }
  | { peerUp: PeerName }
  | { peerDown: PeerName }
  | { lost: true }
  | { resume: true }
  | { quiet: true };

const REASONS: Record<number, string> = {
  [WithdrawReason.WITHDRAW_REASON_EXPLICIT]: 'explicit',
  [WithdrawReason.WITHDRAW_REASON_PEER_DOWN]: 'peer-down',
  [WithdrawReason.WITHDRAW_REASON_RESYNC_STALE]: 'stale',
  [WithdrawReason.WITHDRAW_REASON_TREAT_AS_WITHDRAW]: 'treat-as-withdraw',
  [WithdrawReason.WITHDRAW_REASON_AFI_SAFI_DISABLED]: 'afi-safi-disabled',
};

/** Runs steps on a fresh RIB; returns the changes as "adv pre 01 attrs-1", "wd pre 02 explicit attrs-1" lines. */
function run(steps: Step[], rib = new RouterRib<Attrs>('r1', '127.0.0.1')) {
  const changes: string[] = [];
  const viewName = (v: ViewState<Attrs>) =>
    Object.entries(VIEWS).find(([, d]) => PEERS[d.peer].address === v.peer.address && d.ribView === v.ribView)?.[0] ?? '?';
  const sink: RouteChangeSink<Attrs> = {
    advertise: (v, r, a) => changes.push(`adv ${viewName(v)} ${r.mac.slice(-2)} ${a.key}`),
    withdraw: (v, r, reason, a) => changes.push(`wd ${viewName(v)} ${r.mac.slice(-2)} ${REASONS[reason]} ${a?.key ?? 'unknown'}`),
  };
  const outcomes: string[] = [];
  for (const s of steps) {
    if ('update' in s) {
      const d = VIEWS[s.update];
      const view = rib.view(PEERS[d.peer], d.ribView, '');
      const input = {
        advertised: (s.adv ?? []).map((n) => route(n)),
        withdrawn: (s.wd ?? []).map((n) => route(n, 0)),
        endOfRib: s.eor ? '25/70' : undefined,
        handling: s.handling,
        attrs: s.attrs ?? A1,
      };
      outcomes.push(rib.update(view, input, 1n, sink));
    } else if ('peerUp' in s) rib.peerUp(PEERS[s.peerUp], { fourOctetAs: true, addPath: new Set() });
    else if ('peerDown' in s) rib.peerDown(PEERS[s.peerDown], undefined, false, 1n, sink);
    else if ('lost' in s) rib.sessionLost();
    else if ('resume' in s) rib.resume();
    else if ('quiet' in s) rib.sweep(() => true, 1n, sink);
  }
  return { changes, outcomes, rib };
}

describe('RouterRib', () => {
  it.each<[string, Step[], string[]]>([
    ['advertises a new route', [{ update: 'pre', adv: ['01'] }], ['adv pre 01 attrs-1']],
    [
      'drops an exact repeat',
      [
        { update: 'pre', adv: ['01'] },
        { update: 'pre', adv: ['01'] },
      ],
      ['adv pre 01 attrs-1'],
    ],
    [
      'advertises again when the attributes changed',
      [
        { update: 'pre', adv: ['01'] },
        { update: 'pre', adv: ['01'], attrs: A2 },
      ],
      ['adv pre 01 attrs-1', 'adv pre 01 attrs-2'],
    ],
    [
      'keeps views apart: the same route in two views is two routes',
      [
        { update: 'pre', adv: ['01'] },
        { update: 'post', adv: ['01'] },
      ],
      ['adv pre 01 attrs-1', 'adv post 01 attrs-1'],
    ],
    [
      'withdraws a held route with its advertisement attributes',
      [
        { update: 'pre', adv: ['01'] },
        { update: 'pre', wd: ['01'] },
      ],
      ['adv pre 01 attrs-1', 'wd pre 01 explicit attrs-1'],
    ],
    ['publishes the withdrawal of a route it never held (the index may know it)', [{ update: 'pre', wd: ['07'] }], ['wd pre 07 explicit unknown']],
    [
      'treat-as-withdraw: withdraws the routes a malformed UPDATE advertised, held or not',
      [
        { update: 'pre', adv: ['01'] },
        { update: 'pre', adv: ['01', '02'], attrs: A2, handling: ErrorHandling.TreatAsWithdraw },
      ],
      ['adv pre 01 attrs-1', 'wd pre 01 treat-as-withdraw attrs-1', 'wd pre 02 treat-as-withdraw unknown'],
    ],
    [
      'treat-as-withdraw: still honours the UPDATE’s MP_UNREACH',
      [
        { update: 'pre', adv: ['01', '02'] },
        { update: 'pre', adv: ['03'], wd: ['02'], handling: ErrorHandling.TreatAsWithdraw },
      ],
      ['adv pre 01 attrs-1', 'adv pre 02 attrs-1', 'wd pre 03 treat-as-withdraw unknown', 'wd pre 02 explicit attrs-1'],
    ],
    ['attribute-discard: the UPDATE is used', [{ update: 'pre', adv: ['01'], handling: ErrorHandling.AttributeDiscard }], ['adv pre 01 attrs-1']],
    [
      'Peer Down: withdraws every view of that peer, and only of that peer',
      [{ peerUp: 'p1' }, { update: 'pre', adv: ['01'] }, { update: 'post', adv: ['01'] }, { update: 'other', adv: ['02'] }, { peerDown: 'p1' }],
      ['adv pre 01 attrs-1', 'adv post 01 attrs-1', 'adv other 02 attrs-1', 'wd pre 01 peer-down attrs-1', 'wd post 01 peer-down attrs-1'],
    ],
    ['session lost: withdraws nothing', [{ update: 'pre', adv: ['01'] }, { lost: true }], ['adv pre 01 attrs-1']],
    [
      'reconnect: a route re-sent as it was is published again (with the new session epoch), and is no longer stale',
      [{ update: 'pre', adv: ['01'] }, { lost: true }, { resume: true }, { update: 'pre', adv: ['01'] }, { quiet: true }],
      ['adv pre 01 attrs-1', 'adv pre 01 attrs-1'],
    ],
    [
      'a repeat within one session is not published again',
      [
        { update: 'pre', adv: ['01'] },
        { update: 'pre', adv: ['01'] },
      ],
      ['adv pre 01 attrs-1'],
    ],
    [
      'quiet time after a reconnect: every view’s routes not re-sent are withdrawn',
      [
        { update: 'pre', adv: ['01', '02'] },
        { update: 'other', adv: ['03'] },
        { lost: true },
        { resume: true },
        { update: 'pre', adv: ['01'] },
        { quiet: true },
      ],
      ['adv pre 01 attrs-1', 'adv pre 02 attrs-1', 'adv other 03 attrs-1', 'adv pre 01 attrs-1', 'wd pre 02 stale attrs-1', 'wd other 03 stale attrs-1'],
    ],
  ])('%s', (_what, steps, expected) => {
    expect(run(steps).changes).toEqual(expected);
  });

  it('Peer Up, routes, session lost, reconnect, partial re-send, End-of-RIB: exactly the routes not re-sent are withdrawn', () => {
    const { changes, rib } = run([
      { peerUp: 'p1' },
      { peerUp: 'p2' },
      { update: 'pre', adv: ['01', '02', '03'] },
      { update: 'post', adv: ['01', '02'] },
      { update: 'other', adv: ['04'] },
      { lost: true },
    ]);
    expect(rib.routeCount()).toBe(6);
    expect(rib.staleCount()).toBe(0);
    changes.length = 0;

    rib.resume(); // the router's new session
    expect(rib.staleCount()).toBe(6);
    expect(rib.resyncing).toBe(true);
    const sink: RouteChangeSink<Attrs> = {
      advertise: (_v, r, a) => changes.push(`adv ${r.mac.slice(-2)} ${a.key}`),
      withdraw: (v, r, reason) => changes.push(`wd ${v.ribView} ${r.mac.slice(-2)} ${REASONS[reason]}`),
    };
    const pre = rib.view(PEERS.p1, RibView.RIB_VIEW_ADJ_RIB_IN_PRE, '');
    const post = rib.view(PEERS.p1, RibView.RIB_VIEW_ADJ_RIB_IN_POST, '');
    const other = rib.view(PEERS.p2, RibView.RIB_VIEW_ADJ_RIB_IN_PRE, '');
    // Partial re-send in the pre-policy view: 01 unchanged (published again: the new epoch), 03 with new attributes, 05
    // new; 02 not re-sent.
    rib.update(pre, { advertised: [route('01')], withdrawn: [], attrs: A1 }, 2n, sink);
    rib.update(pre, { advertised: [route('03'), route('05')], withdrawn: [], attrs: A2 }, 2n, sink);
    expect(changes).toEqual(['adv 01 attrs-1', 'adv 03 attrs-2', 'adv 05 attrs-2']);
    changes.shift();
    // End-of-RIB of that view: its stale route 02 goes; the other views wait for theirs (or the quiet time).
    rib.update(pre, { advertised: [], withdrawn: [], endOfRib: '25/70' }, 3n, sink);
    expect(changes.slice(2)).toEqual([`wd ${RibView.RIB_VIEW_ADJ_RIB_IN_PRE} 02 stale`]);
    expect(rib.resyncing).toBe(true);
    // The post-policy view re-sends 02 only, the other peer re-sends 04; their End-of-RIBs finish the resync.
    rib.update(post, { advertised: [route('02')], withdrawn: [], attrs: A1 }, 4n, sink);
    rib.update(post, { advertised: [], withdrawn: [], endOfRib: '25/70' }, 4n, sink);
    rib.update(other, { advertised: [route('04')], withdrawn: [], attrs: A1 }, 4n, sink);
    rib.update(other, { advertised: [], withdrawn: [], endOfRib: '25/70' }, 4n, sink);
    expect(changes.slice(3)).toEqual(['adv 02 attrs-1', `wd ${RibView.RIB_VIEW_ADJ_RIB_IN_POST} 01 stale`, 'adv 04 attrs-1']);
    expect(rib.resyncing).toBe(false);
    const held = [...rib.views.values()].flatMap((v) => [...v.routes.values()].map((e) => `${v.ribView}:${routeOfEntry(e).mac.slice(-2)}`));
    expect(held.sort()).toEqual(
      [
        `${RibView.RIB_VIEW_ADJ_RIB_IN_PRE}:01`,
        `${RibView.RIB_VIEW_ADJ_RIB_IN_PRE}:03`,
        `${RibView.RIB_VIEW_ADJ_RIB_IN_PRE}:05`,
        `${RibView.RIB_VIEW_ADJ_RIB_IN_POST}:02`,
        `${RibView.RIB_VIEW_ADJ_RIB_IN_PRE}:04`,
      ].sort(),
    );
  });

  it.each([
    [ErrorHandling.AfiSafiDisable, 'afi-safi-disable'],
    [ErrorHandling.SessionReset, 'session-reset'],
  ] as const)('%s: honours the parsed withdrawals, withdraws the peer’s routes, ignores it until its next Peer Up', (handling, why) => {
    const { changes, outcomes, rib } = run([
      { peerUp: 'p1' },
      { update: 'pre', adv: ['01', '02'] },
      { update: 'post', adv: ['01'] },
      { update: 'other', adv: ['03'] },
      { update: 'pre', wd: ['02'], handling },
      { update: 'pre', adv: ['04'] },
      { update: 'post', wd: ['01'] },
    ]);
    expect(changes).toEqual([
      'adv pre 01 attrs-1',
      'adv pre 02 attrs-1',
      'adv post 01 attrs-1',
      'adv other 03 attrs-1',
      'wd pre 02 explicit attrs-1',
      'wd pre 01 afi-safi-disabled attrs-1',
      'wd post 01 afi-safi-disabled attrs-1',
    ]);
    expect(outcomes.slice(3)).toEqual(['disabled', 'ignored', 'ignored']);
    expect(rib.disabled(PEERS.p1)).toBe(why);
    expect(rib.disabled(PEERS.p2)).toBeUndefined();
    // The next Peer Up: the router re-sends the peer's table, which is taken again.
    const after = run([{ peerUp: 'p1' }, { update: 'pre', adv: ['04'] }], rib);
    expect(after.changes).toEqual(['adv pre 04 attrs-1']);
    expect(rib.disabled(PEERS.p1)).toBeUndefined();
  });

  it('a new session of the router also ends an AFI/SAFI disable (the router re-sends everything)', () => {
    const { rib } = run([
      { update: 'pre', adv: ['01'] },
      { update: 'pre', adv: ['02'], handling: ErrorHandling.AfiSafiDisable },
    ]);
    expect(rib.disabled(PEERS.p1)).toBe('afi-safi-disable');
    rib.sessionLost();
    rib.resume();
    expect(rib.disabled(PEERS.p1)).toBeUndefined();
  });

  it('needs the attributes of an UPDATE that advertises', () => {
    const rib = new RouterRib<Attrs>('r1', '127.0.0.1');
    const view = rib.view(PEERS.p1, RibView.RIB_VIEW_ADJ_RIB_IN_PRE, '');
    expect(() => rib.update(view, { advertised: [route('01')], withdrawn: [] }, 1n, { advertise() {}, withdraw() {} })).toThrow(TypeError);
  });
});
