/**
 * The shipped normalization table. OpenConfig: openconfig-evpn (VXLAN lives there: OpenConfig has no openconfig-vxlan
 * module), openconfig-network-instance (MAC table) and openconfig-interfaces. Nokia SR Linux and Cisco NX-OS native
 * (DME) paths map onto the same canonical names.
 */
import type { NormalizationRule } from './rule.js';

/** openconfig-evpn: network-instance → connection-point → endpoint → vxlan. */
const OC_VXLAN =
  '/network-instances/network-instance[name={networkInstance}]/connection-points/connection-point[connection-point-id=*]/endpoints/endpoint[endpoint-id={endpoint}]/vxlan';

const UP_DOWN = { up: 'UP', down: 'DOWN', Up: 'UP', Down: 'DOWN', UP: 'UP', DOWN: 'DOWN' };

export const BUILTIN_RULES: readonly NormalizationRule[] = [
  // --- OpenConfig ---
  { path: `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address={peer}]/state/counters/*`, kind: 'counter' },
  { path: `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address={peer}]/state/peer-state`, kind: 'state', name: 'peer-state' },
  { path: `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address={peer}]/state/uptime`, kind: 'gauge', name: 'peer-uptime' },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/counters/*`, kind: 'counter' },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/vni-state`, kind: 'state', name: 'vni-state' },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/vni-type`, kind: 'state', name: 'vni-type' },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/learning-mode`, kind: 'state', name: 'learning-mode' },
  { path: `${OC_VXLAN}/state/counters/*`, kind: 'counter' },
  { path: `${OC_VXLAN}/state/enabled`, kind: 'state', name: 'vtep-state', states: { true: 'UP', false: 'DOWN' } },
  { path: '/network-instances/network-instance[name={networkInstance}]/fdb/mac-table/entries/entry', kind: 'count', name: 'mac-count' },
  { path: '/interfaces/interface[name={interface}]/state/counters/*', kind: 'counter' },
  { path: '/interfaces/interface[name={interface}]/state/oper-status', kind: 'state', name: 'oper-status' },

  // --- Nokia SR Linux: vtep[address] lists the remote VTEPs ---
  {
    path: '/tunnel/vxlan-tunnel/vtep[address={peer}]/statistics/*',
    kind: 'counter',
    leaves: {
      'in-octets': 'total-decap-bytes',
      'in-packets': 'total-decap-pkts',
      'in-discarded-packets': 'drop-decap-pkts',
      'out-octets': 'total-encap-bytes',
      'out-packets': 'total-encap-pkts',
      'out-discarded-packets': 'drop-encap-pkts',
    },
  },
  { path: '/tunnel/vxlan-tunnel/vtep[address={peer}]/oper-state', kind: 'state', name: 'peer-state', states: UP_DOWN },
  {
    path: '/tunnel-interface[name={interface}]/vxlan-interface[index={interface}]/bridge-table/statistics/active-entries',
    kind: 'gauge',
    name: 'mac-count',
  },
  { path: '/tunnel-interface[name={interface}]/vxlan-interface[index={interface}]/oper-state', kind: 'state', name: 'vni-state', states: UP_DOWN },

  // --- Cisco NX-OS native (DME): Ep-list[epId] is the NVE interface ---
  {
    path: '/System/eps-items/epId-items/Ep-list[epId={endpoint}]/peers-items/dy_peer-items/DyPeer-list[ip={peer}]/state',
    kind: 'state',
    name: 'peer-state',
    states: UP_DOWN,
  },
  {
    path: '/System/eps-items/epId-items/Ep-list[epId={endpoint}]/nws-items/opervni-items/OperNw-list[vni={vni}]/state',
    kind: 'state',
    name: 'vni-state',
    states: UP_DOWN,
  },
  {
    path: '/System/eps-items/epId-items/Ep-list[epId={endpoint}]/nws-items/opervni-items/OperNw-list[vni={vni}]/type',
    kind: 'state',
    name: 'vni-type',
    states: { L2: 'L2', L3: 'L3', l2: 'L2', l3: 'L3' },
  },
  { path: '/System/eps-items/epId-items/Ep-list[epId={endpoint}]/operState', kind: 'state', name: 'vtep-state', states: UP_DOWN },
];

/** Named subscription sets shipped with the collector (collector.gnmi.subscriptions may override or add). */
export const BUILTIN_SUBSCRIPTIONS = {
  /** OpenConfig VXLAN peers, VNIs and VTEP state, sampled. */
  'openconfig-vxlan': {
    mode: 'sample',
    sampleIntervalSeconds: 10,
    paths: [
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/endpoint-peers',
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/endpoint-vnis',
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/state',
    ],
  },
  /** OpenConfig MAC tables, on change (counted by the collector). */
  'openconfig-mac-table': { mode: 'on-change', paths: ['openconfig:/network-instances/network-instance/fdb/mac-table/entries'] },
  'openconfig-interfaces': { mode: 'sample', sampleIntervalSeconds: 10, paths: ['openconfig:/interfaces/interface/state'] },
  'srlinux-vxlan': {
    mode: 'sample',
    sampleIntervalSeconds: 10,
    paths: ['/tunnel/vxlan-tunnel/vtep', '/tunnel-interface/vxlan-interface/bridge-table/statistics', '/tunnel-interface/vxlan-interface/oper-state'],
  },
  'nxos-vxlan': {
    mode: 'sample',
    sampleIntervalSeconds: 10,
    paths: [
      '/System/eps-items/epId-items/Ep-list/peers-items/dy_peer-items/DyPeer-list',
      '/System/eps-items/epId-items/Ep-list/nws-items/opervni-items/OperNw-list',
    ],
  },
} as const;

/** What a target subscribes to when its configuration names no subscription set. */
export const DEFAULT_SUBSCRIPTION_SETS = ['openconfig-vxlan', 'openconfig-mac-table'] as const;
