/**
 * The built-in normalization table against notifications shaped as each vendor sends them. Each case cites the model,
 * revision and path of the leaves it maps (docs/telemetry-vtep.md lists the same).
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, BUILTIN_SUBSCRIPTIONS } from '../../../../collector/gnmi/normalize/builtin-rules.js';
import { type NormalizedSample, TargetNormalizer } from '../../../../collector/gnmi/normalize/normalizer.js';
import { localName, RuleTable } from '../../../../collector/gnmi/normalize/rule-table.js';
import { parsePath } from '../../../../collector/gnmi/path.js';
import { SampleKind } from '../../../../schemas/events.js';
import type { INotification, ITypedValue } from '../../../../schemas/gnmi.js';
import { toBigInt } from '../../../../schemas/long.js';
import { jsonIetf, notification, OC_VXLAN, str, uint } from '../../../support/gnmi/notifications.js';

function run(notifications: INotification[], vtep = '') {
  const n = new TargetNormalizer(new RuleTable(BUILTIN_RULES), { publishUnmapped: false, vtep });
  n.connected();
  const out: NormalizedSample[] = [];
  for (const x of notifications) n.notification(x, out);
  return out.map((s) => {
    const scope = Object.fromEntries(Object.entries(s.leaf.scope).filter(([, v]) => v !== '' && v !== 0));
    return {
      kind: SampleKind[s.leaf.kind].replace('SAMPLE_KIND_', '').toLowerCase(),
      name: s.leaf.name,
      ...scope,
      ...(s.value ? { value: toBigInt(s.value) } : {}),
      ...(s.state !== undefined ? { state: s.state } : {}),
    };
  });
}

const json = (v: unknown): ITypedValue => ({ jsonVal: Buffer.from(JSON.stringify(v)) });
const NX_EP = '/System/eps-items/epId-items/Ep-list[epId=1]';
const SRL_VTEP = '/srl_nokia-tunnel:tunnel/srl_nokia-vxlan-tunnel-vtep:vxlan-tunnel';
const OC_VNI = `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni=10100]`;
const ocVni = { vni: 10100, networkInstance: 'default', endpoint: 'nve1' };

interface Case {
  name: string;
  /** model, revision, path of the leaves the case maps */
  model: string;
  input: INotification[];
  vtep?: string;
  expected: Record<string, unknown>[];
}

const CASES: Case[] = [
  {
    name: 'SR Linux per-VTEP statistics with module-qualified elements; the vtep entry itself says the peer is there',
    model:
      'srl_nokia-vxlan-tunnel-vtep 2023-03-31: /tunnel/vxlan-tunnel/vtep[address]/statistics/{in-octets,out-packets,out-discarded-packets,last-clear}, vtep[address]/index',
    input: [
      notification(`${SRL_VTEP}/vtep[address=10.0.0.9]`, [
        ['index', uint(4)],
        ['statistics/in-octets', uint(100)],
        ['statistics/out-packets', uint(5)],
        ['statistics/out-discarded-packets', uint(1)],
        ['statistics/last-clear', str('2026-12-01T10:00:00.000Z')],
      ]),
    ],
    expected: [
      { kind: 'state', name: 'peer-state', peer: '10.0.0.9', state: 'UP' },
      { kind: 'counter', name: 'total-decap-bytes', peer: '10.0.0.9', value: 100n },
      { kind: 'counter', name: 'total-encap-pkts', peer: '10.0.0.9', value: 5n },
      { kind: 'counter', name: 'drop-encap-pkts', peer: '10.0.0.9', value: 1n },
      { kind: 'state', name: 'last-clear', peer: '10.0.0.9', state: '2026-12-01T10:00:00.000Z' },
    ],
  },
  {
    name: 'SR Linux global statistics as one JSON_IETF container with qualified member names',
    model: 'srl_nokia-vxlan-tunnel-vtep 2023-03-31: /tunnel/vxlan-tunnel/statistics/{admin-state,in-packets,in-discarded-packets,out-octets}',
    input: [
      notification(SRL_VTEP, [
        ['statistics', jsonIetf({ 'admin-state': 'enable', 'in-packets': '7', 'in-discarded-packets': '2', 'srl_nokia-vxlan-tunnel-vtep:out-octets': '900' })],
      ]),
    ],
    expected: [
      { kind: 'counter', name: 'total-decap-pkts', value: 7n },
      { kind: 'counter', name: 'drop-decap-pkts', value: 2n },
      { kind: 'counter', name: 'total-encap-bytes', value: 900n },
    ],
  },
  {
    name: 'SR Linux vxlan-interface: the VNI comes from ingress/vni (sent after oper-state), not from the index',
    model:
      'srl_nokia-tunnel-interfaces 2022-11-30: /tunnel-interface[name]/vxlan-interface[index]/{oper-state,ingress/vni}; srl_nokia-tunnel-interfaces-vxlan-interface-bridge-table-unicast-destinations 2024-10-31: bridge-table/statistics/active-entries, unicast-destinations/destination[vtep][vni]/statistics/active-entries; …-multicast-destinations 2021-03-31: multicast-destinations/destination[vtep][vni]/destination-index',
    input: [
      notification('/srl_nokia-tunnel-interfaces:tunnel-interface[name=vxlan1]', [
        [
          'srl_nokia-tunnel-interfaces:vxlan-interface[index=1]',
          jsonIetf({
            index: 1,
            type: 'srl_nokia-interfaces:bridged',
            'oper-state': 'up',
            ingress: { vni: 10010 },
            'bridge-table': {
              statistics: { 'active-entries': '12' },
              'srl_nokia-tunnel-interfaces-vxlan-interface-bridge-table-unicast-destinations:unicast-destinations': {
                destination: [{ vtep: '10.0.0.9', vni: 10010, statistics: { 'active-entries': '5' } }],
              },
              'srl_nokia-tunnel-interfaces-vxlan-interface-bridge-table-multicast-destinations:multicast-destinations': {
                destination: [{ vtep: '10.0.0.9', vni: 10010, 'destination-index': '77' }],
              },
            },
          }),
        ],
      ]),
      notification('/tunnel-interface[name=vxlan1]/vxlan-interface[index=1]', [['oper-state', str('down')]]),
    ],
    expected: [
      { kind: 'state', name: 'vni-state', interface: 'vxlan1.1', vni: 10010, state: 'UP' },
      { kind: 'gauge', name: 'mac-count', interface: 'vxlan1.1', vni: 10010, value: 12n },
      { kind: 'gauge', name: 'mac-count', interface: 'vxlan1.1', peer: '10.0.0.9', vni: 10010, value: 5n },
      { kind: 'state', name: 'peer-vni-state', interface: 'vxlan1.1', peer: '10.0.0.9', vni: 10010, state: 'UP' },
      { kind: 'state', name: 'vni-state', interface: 'vxlan1.1', vni: 10010, state: 'DOWN' },
    ],
  },
  {
    name: 'NX-OS NVE as DME JSON: operState, primaryIp as the local VTEP, cntrs-items with totals summed from ucast + mcast',
    model: 'Cisco-NX-OS-device (DME) nvo: /System/eps-items/epId-items/Ep-list[epId]/{operState,primaryIp,cntrs-items/{tx,rx}{Ucast,Mcast}{pkts,bytes}}',
    input: [
      notification('/System/eps-items/epId-items', [
        [
          'Ep-list[epId=1]',
          json({
            epId: 1,
            adminSt: 'enabled',
            operState: 'up',
            primaryIp: '10.1.1.11',
            'cntrs-items': { txUcastpkts: 10, txMcastpkts: 3, rxUcastpkts: 20, rxMcastpkts: 4, txUcastbytes: 1000, txMcastbytes: 300 },
          }),
        ],
      ]),
    ],
    expected: [
      { kind: 'state', name: 'vtep-state', vtep: '10.1.1.11', endpoint: '1', state: 'UP' },
      { kind: 'counter', name: 'unicast-encap-pkts', vtep: '10.1.1.11', endpoint: '1', value: 10n },
      { kind: 'counter', name: 'bum-encap-pkts', vtep: '10.1.1.11', endpoint: '1', value: 3n },
      { kind: 'counter', name: 'unicast-decap-pkts', vtep: '10.1.1.11', endpoint: '1', value: 20n },
      { kind: 'counter', name: 'bum-decap-pkts', vtep: '10.1.1.11', endpoint: '1', value: 4n },
      { kind: 'counter', name: 'unicast-encap-bytes', vtep: '10.1.1.11', endpoint: '1', value: 1000n },
      { kind: 'counter', name: 'bum-encap-bytes', vtep: '10.1.1.11', endpoint: '1', value: 300n },
      { kind: 'counter', name: 'total-encap-pkts', vtep: '10.1.1.11', endpoint: '1', value: 13n },
      { kind: 'counter', name: 'total-decap-pkts', vtep: '10.1.1.11', endpoint: '1', value: 24n },
      { kind: 'counter', name: 'total-encap-bytes', vtep: '10.1.1.11', endpoint: '1', value: 1300n },
    ],
  },
  {
    name: 'NX-OS: all four peer lists (dynamic, static, dynamic and static ingress replication), with per-peer cntrs-items',
    model:
      'Cisco-NX-OS-device (DME) nvo: Ep-list[epId]/peers-items/{dy_peer-items/DyPeer-list,st_peer-items/StPeer-list,dyn_ir_peer-items/DyIRPeer-list,st_ir_peer-items/StIRPeer-list}[ip]/{state,cntrs-items}',
    vtep: '10.1.1.11',
    input: [
      notification(`${NX_EP}/peers-items`, [
        ['dy_peer-items', json({ 'DyPeer-list': [{ ip: '10.1.1.12', state: 'Up', 'cntrs-items': { txUcastpkts: 5, txMcastpkts: 1 } }] })],
        ['st_peer-items', json({ 'StPeer-list': [{ ip: '10.1.1.13', state: 'Down' }] })],
        ['dyn_ir_peer-items', json({ 'DyIRPeer-list': [{ ip: '10.1.1.14', state: 'Up' }] })],
        ['st_ir_peer-items', json({ 'StIRPeer-list': [{ ip: '10.1.1.15', state: 'Up' }] })],
      ]),
    ],
    expected: [
      { kind: 'state', name: 'peer-state', vtep: '10.1.1.11', peer: '10.1.1.12', endpoint: '1', state: 'UP' },
      { kind: 'counter', name: 'unicast-encap-pkts', vtep: '10.1.1.11', peer: '10.1.1.12', endpoint: '1', value: 5n },
      { kind: 'counter', name: 'bum-encap-pkts', vtep: '10.1.1.11', peer: '10.1.1.12', endpoint: '1', value: 1n },
      { kind: 'state', name: 'peer-state', vtep: '10.1.1.11', peer: '10.1.1.13', endpoint: '1', state: 'DOWN' },
      { kind: 'state', name: 'peer-state', vtep: '10.1.1.11', peer: '10.1.1.14', endpoint: '1', state: 'UP' },
      { kind: 'state', name: 'peer-state', vtep: '10.1.1.11', peer: '10.1.1.15', endpoint: '1', state: 'UP' },
      { kind: 'counter', name: 'total-encap-pkts', vtep: '10.1.1.11', peer: '10.1.1.12', endpoint: '1', value: 6n },
    ],
  },
  {
    name: 'NX-OS per-VNI cntrs-items',
    model: 'Cisco-NX-OS-device (DME) nvo: Ep-list[epId]/nws-items/opervni-items/OperNw-list[vni]/{state,cntrs-items/rx{Ucast,Mcast}bytes}',
    input: [
      notification(`${NX_EP}/nws-items/opervni-items/OperNw-list[vni=10100]`, [
        ['state', str('Up')],
        ['cntrs-items/rxUcastbytes', uint(70)],
        ['cntrs-items/rxMcastbytes', uint(30)],
      ]),
    ],
    expected: [
      { kind: 'state', name: 'vni-state', vni: 10100, endpoint: '1', state: 'UP' },
      { kind: 'counter', name: 'unicast-decap-bytes', vni: 10100, endpoint: '1', value: 70n },
      { kind: 'counter', name: 'bum-decap-bytes', vni: 10100, endpoint: '1', value: 30n },
      { kind: 'counter', name: 'total-decap-bytes', vni: 10100, endpoint: '1', value: 100n },
    ],
  },
  {
    name: 'OpenConfig per-VNI counters per address family, summed per VNI; a total the device omits comes from unicast + bum',
    model:
      'openconfig-evpn 2024-08-14: …/vxlan/endpoint-vnis/endpoint-vni[vni]/{ipv4,ipv6}/state/counters/{unicast-encap-pkts,bum-encap-pkts,bum-decap-multicast-pkts,bum-decap-ir-pkts}',
    input: [
      notification(OC_VNI, [
        ['ipv4/state/counters/unicast-encap-pkts', uint(10)],
        ['ipv4/state/counters/bum-encap-pkts', uint(1)],
        ['ipv6/state/counters/unicast-encap-pkts', uint(20)],
        ['ipv6/state/counters/bum-encap-pkts', uint(2)],
        ['ipv4/state/counters/bum-decap-multicast-pkts', uint(3)],
        ['ipv4/state/counters/bum-decap-ir-pkts', uint(4)],
      ]),
    ],
    expected: [
      { kind: 'counter', name: 'unicast-encap-pkts', ...ocVni, value: 30n },
      { kind: 'counter', name: 'total-encap-pkts', ...ocVni, value: 33n },
      { kind: 'counter', name: 'bum-encap-pkts', ...ocVni, value: 3n },
      { kind: 'counter', name: 'bum-decap-multicast-pkts', ...ocVni, value: 3n },
      { kind: 'counter', name: 'bum-decap-ir-pkts', ...ocVni, value: 4n },
    ],
  },
  {
    name: 'OpenConfig per-peer counters: a total the device sends itself is not derived as well',
    model: 'openconfig-evpn 2024-08-14: …/vxlan/endpoint-peers/endpoint-peer[peer-address]/state/counters/{total-encap-pkts,unicast-encap-pkts,bum-encap-pkts}',
    input: [
      notification(`${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state/counters`, [
        ['total-encap-pkts', uint(40)],
        ['unicast-encap-pkts', uint(30)],
        ['bum-encap-pkts', uint(9)],
      ]),
    ],
    expected: [
      { kind: 'counter', name: 'total-encap-pkts', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1', value: 40n },
      { kind: 'counter', name: 'unicast-encap-pkts', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1', value: 30n },
      { kind: 'counter', name: 'bum-encap-pkts', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1', value: 9n },
    ],
  },
  {
    name: 'the legacy per-VNI counters under endpoint-vni/state still map (simulators send them)',
    model: 'none: …/endpoint-vni[vni]/state/counters/* is in no openconfig-evpn revision; a compatibility rule',
    input: [notification(`${OC_VNI}/state/counters`, [['total-decap-pkts', uint(5)]])],
    expected: [{ kind: 'counter', name: 'total-decap-pkts', ...ocVni, value: 5n }],
  },
  {
    name: 'the legacy vtep[address]/oper-state and vxlan/state/counters still map (earlier fixtures send them)',
    model: 'none: in no SR Linux release, in no openconfig-evpn revision; compatibility rules',
    input: [
      notification('/tunnel/vxlan-tunnel/vtep[address=10.0.0.9]', [['oper-state', str('down')]]),
      notification(`${OC_VXLAN}/state/counters`, [['drop-decap-pkts', uint(3)]]),
    ],
    expected: [
      { kind: 'state', name: 'peer-state', peer: '10.0.0.9', state: 'DOWN' },
      { kind: 'counter', name: 'drop-decap-pkts', networkInstance: 'default', endpoint: 'nve1', value: 3n },
    ],
  },
  {
    name: 'OpenConfig vxlan/state/enabled is the administrative state, not "up"',
    model: 'openconfig-evpn 2024-08-14: …/endpoint[endpoint-id]/vxlan/state/enabled ("VXLAN tunnel endpoint administrative state")',
    input: [notification(`${OC_VXLAN}/state`, [['enabled', { boolVal: false }]])],
    expected: [{ kind: 'state', name: 'vtep-admin-state', networkInstance: 'default', endpoint: 'nve1', state: 'DOWN' }],
  },
];

describe('built-in normalization rules against vendor-shaped notifications', () => {
  it.each(CASES)('$name ($model)', (c) => {
    const out = run(c.input, c.vtep);
    expect(out).toEqual(c.expected);
  });

  it('takes the local VTEP address from the OpenConfig source interface, resolved to its address', () => {
    // openconfig-evpn 2024-08-14 …/vxlan/state/source-interface; openconfig-if-ip …/subinterface[index]/ipv4/addresses/address[ip]/state/ip
    const out = run([
      notification(`${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state`, [['peer-state', str('UP')]]),
      notification('/interfaces/interface[name=Loopback1]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=10.1.1.21]/state', [
        ['ip', str('10.1.1.21')],
      ]),
      notification(`${OC_VXLAN}/state`, [['source-interface', str('Loopback1')]]),
      notification(`${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state`, [['peer-state', str('DOWN')]]),
    ]);

    expect(out).toEqual([
      { kind: 'state', name: 'peer-state', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1', state: 'UP' },
      { kind: 'state', name: 'peer-state', vtep: '10.1.1.21', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1', state: 'DOWN' },
    ]);
  });

  it('keeps a configured VTEP address over the one the device names', () => {
    const out = run(
      [
        notification(NX_EP, [
          ['primaryIp', str('10.9.9.9')],
          ['operState', str('up')],
        ]),
      ],
      '10.1.1.11',
    );
    expect(out).toEqual([{ kind: 'state', name: 'vtep-state', vtep: '10.1.1.11', endpoint: '1', state: 'UP' }]);
  });

  it('deletes an SR Linux remote VTEP when the device deletes its vtep entry', () => {
    const out = run([notification(SRL_VTEP, [], { deletes: ['vtep[address=10.0.0.9]'] })]);
    expect(out).toContainEqual({ kind: 'deleted', name: 'peer', peer: '10.0.0.9' });
  });
});

describe('built-in subscription sets', () => {
  const ruleElems = BUILTIN_RULES.map((r) => parsePath(r.path).elem.map((e) => localName(e.name)));
  const sets = Object.entries(BUILTIN_SUBSCRIPTIONS).flatMap(([set, s]) => s.paths.map((p) => [set, p] as const));

  it.each(sets)('%s subscribes to %s, a path a rule reads', (_set, path) => {
    const sub = parsePath(path).elem.map((e) => e.name);

    // A subscribed path is above a rule's leaf, or is one (a `*` in the rule matches any element).
    const read = ruleElems.some((r) => sub.length <= r.length && sub.every((name, i) => r[i] === '*' || r[i] === name));

    expect(read).toBe(true);
  });

  it('leaves vxlan/state (deviated on NX-OS 10.3(1)) out of the OpenConfig VXLAN set', () => {
    expect(BUILTIN_SUBSCRIPTIONS['openconfig-vxlan'].paths.some((p) => p.endsWith('/vxlan/state'))).toBe(false);
  });
});
