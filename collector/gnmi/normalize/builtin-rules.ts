/**
 * The shipped normalization table. Every rule traces to a leaf of a published model (docs/telemetry-vtep.md lists
 * them with model, revision and path):
 * - OpenConfig: openconfig-evpn 2024-08-14 (VXLAN lives there: OpenConfig has no openconfig-vxlan module),
 *   openconfig-network-instance (MAC table), openconfig-interfaces.
 * - Nokia SR Linux: srl_nokia-vxlan-tunnel-vtep 2023-03-31 (statistics since 21.3.1), srl_nokia-tunnel-interfaces
 *   2022-11-30, srl_nokia-tunnel-interfaces-vxlan-interface-bridge-table-{unicast,multicast}-destinations.
 * - Cisco NX-OS native: Cisco-NX-OS-device (DME) nvo: `System/eps-items/epId-items/Ep-list`.
 * All map onto the same canonical names (schemas/vtep-telemetry.ts).
 */
import type { NormalizationRule } from './rule.js';

/** openconfig-evpn: network-instance → connection-point → endpoint → vxlan. */
const OC_VXLAN =
  '/network-instances/network-instance[name={networkInstance}]/connection-points/connection-point[connection-point-id=*]/endpoints/endpoint[endpoint-id={endpoint}]/vxlan';

const UP_DOWN = { up: 'UP', down: 'DOWN', Up: 'UP', Down: 'DOWN', UP: 'UP', DOWN: 'DOWN' };

/** Totals a device may not send itself: each is published as the sum of its unicast and BUM parts. */
export const DERIVED_TOTALS: Readonly<Record<string, readonly string[]>> = {
  'total-encap-pkts': ['unicast-encap-pkts', 'bum-encap-pkts'],
  'total-encap-bytes': ['unicast-encap-bytes', 'bum-encap-bytes'],
  'total-decap-pkts': ['unicast-decap-pkts', 'bum-decap-pkts'],
  'total-decap-bytes': ['unicast-decap-bytes', 'bum-decap-bytes'],
};

/** SR Linux VXLAN statistics (global and per remote VTEP): in = decapsulated, out = encapsulated. */
const SRL_STATISTICS = {
  'in-octets': 'total-decap-bytes',
  'in-packets': 'total-decap-pkts',
  'in-discarded-packets': 'drop-decap-pkts',
  'out-octets': 'total-encap-bytes',
  'out-packets': 'total-encap-pkts',
  'out-discarded-packets': 'drop-encap-pkts',
};

/** NX-OS DME cntrs-items (NVE, per peer, per VNI): unicast and multicast (BUM), tx = encapsulated, rx = decapsulated. */
const NXOS_COUNTERS = {
  txUcastpkts: 'unicast-encap-pkts',
  txUcastbytes: 'unicast-encap-bytes',
  txMcastpkts: 'bum-encap-pkts',
  txMcastbytes: 'bum-encap-bytes',
  rxUcastpkts: 'unicast-decap-pkts',
  rxUcastbytes: 'unicast-decap-bytes',
  rxMcastpkts: 'bum-decap-pkts',
  rxMcastbytes: 'bum-decap-bytes',
};

const NXOS_EP = '/System/eps-items/epId-items/Ep-list[epId={endpoint}]';
/** The four NX-OS peer lists: dynamic (EVPN), static, and the dynamic and static ingress-replication peers. */
const NXOS_PEER_LISTS = ['dy_peer-items/DyPeer-list', 'st_peer-items/StPeer-list', 'dyn_ir_peer-items/DyIRPeer-list', 'st_ir_peer-items/StIRPeer-list'];
const SRL_VXLAN_IF = '/tunnel-interface[name={interface}]/vxlan-interface[index={interface}]';

export const BUILTIN_RULES: readonly NormalizationRule[] = [
  // --- OpenConfig (openconfig-evpn 2024-08-14) ---
  { path: `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address={peer}]/state/counters/*`, kind: 'counter', sums: DERIVED_TOTALS },
  { path: `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address={peer}]/state/peer-state`, kind: 'state', name: 'peer-state' },
  { path: `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address={peer}]/state/uptime`, kind: 'gauge', name: 'peer-uptime' },
  // Per-VNI counters come per address family (endpoint-vni/ipv4/state/counters, .../ipv6/...): summed into one per VNI.
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/*/state/counters/*`, kind: 'counter', aggregate: true, sums: DERIVED_TOTALS },
  // Legacy: per-VNI counters directly under endpoint-vni/state, as gNMI simulators and earlier evpn-lens fixtures send
  // them. No revision of openconfig-evpn has this path; the rule only keeps such feeds working.
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/counters/*`, kind: 'counter', sums: DERIVED_TOTALS },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/vni-state`, kind: 'state', name: 'vni-state' },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/vni-type`, kind: 'state', name: 'vni-type' },
  { path: `${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni={vni}]/state/learning-mode`, kind: 'state', name: 'learning-mode' },
  // `enabled` is the endpoint's administrative state: not whether it is up.
  { path: `${OC_VXLAN}/state/enabled`, kind: 'state', name: 'vtep-admin-state', states: { true: 'UP', false: 'DOWN' } },
  // Legacy, like the per-VNI one above: device-wide counters under vxlan/state/counters are in no revision.
  { path: `${OC_VXLAN}/state/counters/*`, kind: 'counter', sums: DERIVED_TOTALS },
  // The local VTEP address: the address of the endpoint's source interface (openconfig-interfaces, openconfig-if-ip).
  { path: `${OC_VXLAN}/state/source-interface`, kind: 'scope', name: 'vtep-interface' },
  {
    path: '/interfaces/interface[name={interface}]/subinterfaces/subinterface[index=0]/ipv4/addresses/address[ip=*]/state/ip',
    kind: 'scope',
    name: 'interface-address',
  },
  { path: '/network-instances/network-instance[name={networkInstance}]/fdb/mac-table/entries/entry', kind: 'count', name: 'mac-count' },
  { path: '/interfaces/interface[name={interface}]/state/counters/*', kind: 'counter' },
  { path: '/interfaces/interface[name={interface}]/state/oper-status', kind: 'state', name: 'oper-status' },

  // --- Nokia SR Linux (counters only with /tunnel/vxlan-tunnel/statistics/admin-state enable; the default is disable) ---
  { path: '/tunnel/vxlan-tunnel/statistics/*', kind: 'counter', leaves: SRL_STATISTICS },
  { path: '/tunnel/vxlan-tunnel/statistics/last-clear', kind: 'state', name: 'last-clear', verbatim: true },
  { path: '/tunnel/vxlan-tunnel/vtep[address={peer}]/statistics/*', kind: 'counter', leaves: SRL_STATISTICS },
  { path: '/tunnel/vxlan-tunnel/vtep[address={peer}]/statistics/last-clear', kind: 'state', name: 'last-clear', verbatim: true },
  // The vtep list has no state leaf: an entry exists while the remote VTEP is discovered (its delete says it is gone).
  { path: '/tunnel/vxlan-tunnel/vtep[address={peer}]/index', kind: 'state', name: 'peer-state', states: { '*': 'UP' } },
  // Legacy: vtep[address]/oper-state is in no SR Linux release; kept only for feeds written against earlier evpn-lens.
  { path: '/tunnel/vxlan-tunnel/vtep[address={peer}]/oper-state', kind: 'state', name: 'peer-state', states: UP_DOWN },
  // A vxlan-interface's index is not its VNI: ingress/vni is.
  { path: `${SRL_VXLAN_IF}/ingress/vni`, kind: 'scope', name: 'vni' },
  { path: `${SRL_VXLAN_IF}/oper-state`, kind: 'state', name: 'vni-state', states: UP_DOWN },
  { path: `${SRL_VXLAN_IF}/bridge-table/statistics/active-entries`, kind: 'gauge', name: 'mac-count' },
  {
    path: `${SRL_VXLAN_IF}/bridge-table/unicast-destinations/destination[vtep={peer}][vni={vni}]/statistics/active-entries`,
    kind: 'gauge',
    name: 'mac-count',
  },
  {
    path: `${SRL_VXLAN_IF}/bridge-table/multicast-destinations/destination[vtep={peer}][vni={vni}]/destination-index`,
    kind: 'state',
    name: 'peer-vni-state',
    states: { '*': 'UP' },
  },

  // --- Cisco NX-OS native (DME): Ep-list[epId] is the NVE interface ---
  { path: `${NXOS_EP}/operState`, kind: 'state', name: 'vtep-state', states: UP_DOWN },
  { path: `${NXOS_EP}/primaryIp`, kind: 'scope', name: 'vtep' },
  { path: `${NXOS_EP}/cntrs-items/*`, kind: 'counter', leaves: NXOS_COUNTERS, sums: DERIVED_TOTALS },
  ...NXOS_PEER_LISTS.flatMap((list): NormalizationRule[] => [
    { path: `${NXOS_EP}/peers-items/${list}[ip={peer}]/state`, kind: 'state', name: 'peer-state', states: UP_DOWN },
    { path: `${NXOS_EP}/peers-items/${list}[ip={peer}]/cntrs-items/*`, kind: 'counter', leaves: NXOS_COUNTERS, sums: DERIVED_TOTALS },
  ]),
  { path: `${NXOS_EP}/nws-items/opervni-items/OperNw-list[vni={vni}]/state`, kind: 'state', name: 'vni-state', states: UP_DOWN },
  {
    path: `${NXOS_EP}/nws-items/opervni-items/OperNw-list[vni={vni}]/type`,
    kind: 'state',
    name: 'vni-type',
    states: { L2: 'L2', L3: 'L3', l2: 'L2', l3: 'L3' },
  },
  { path: `${NXOS_EP}/nws-items/opervni-items/OperNw-list[vni={vni}]/cntrs-items/*`, kind: 'counter', leaves: NXOS_COUNTERS, sums: DERIVED_TOTALS },
];

/**
 * Named subscription sets shipped with the collector (collector.gnmi.subscriptions may override or add). Each path is
 * one the model has and a rule above reads; a set fails alone (a target answering UNIMPLEMENTED for one set keeps the
 * others), so a platform's deviations cost only that set.
 */
export const BUILTIN_SUBSCRIPTIONS = {
  /** OpenConfig VXLAN peers and VNIs (with their counters), sampled. */
  'openconfig-vxlan': {
    mode: 'sample',
    sampleIntervalSeconds: 10,
    paths: [
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/endpoint-peers',
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/endpoint-vnis',
    ],
  },
  /**
   * The endpoint's own state (administrative `enabled`, `source-interface`) and interface addresses, for the local
   * VTEP address. Not in the default sets: NX-OS 10.3(1) deviates the whole vxlan/state container as not supported.
   */
  'openconfig-vxlan-endpoint': {
    mode: 'on-change',
    paths: [
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/state/enabled',
      'openconfig:/network-instances/network-instance/connection-points/connection-point/endpoints/endpoint/vxlan/state/source-interface',
      'openconfig:/interfaces/interface/subinterfaces/subinterface/ipv4/addresses/address/state/ip',
    ],
  },
  /** OpenConfig MAC tables, on change (counted by the collector). */
  'openconfig-mac-table': { mode: 'on-change', paths: ['openconfig:/network-instances/network-instance/fdb/mac-table/entries'] },
  'openconfig-interfaces': { mode: 'sample', sampleIntervalSeconds: 10, paths: ['openconfig:/interfaces/interface/state'] },
  'srlinux-vxlan': {
    mode: 'sample',
    sampleIntervalSeconds: 10,
    paths: [
      '/tunnel/vxlan-tunnel/statistics',
      '/tunnel/vxlan-tunnel/vtep',
      '/tunnel-interface/vxlan-interface/ingress/vni',
      '/tunnel-interface/vxlan-interface/oper-state',
      '/tunnel-interface/vxlan-interface/bridge-table/statistics/active-entries',
      '/tunnel-interface/vxlan-interface/bridge-table/unicast-destinations/destination/statistics/active-entries',
      '/tunnel-interface/vxlan-interface/bridge-table/multicast-destinations/destination/destination-index',
    ],
  },
  'nxos-vxlan': {
    mode: 'sample',
    sampleIntervalSeconds: 10,
    paths: [
      '/System/eps-items/epId-items/Ep-list/operState',
      '/System/eps-items/epId-items/Ep-list/primaryIp',
      '/System/eps-items/epId-items/Ep-list/cntrs-items',
      '/System/eps-items/epId-items/Ep-list/peers-items',
      '/System/eps-items/epId-items/Ep-list/nws-items/opervni-items/OperNw-list',
    ],
  },
} as const;

/** What a target subscribes to when its configuration names no subscription set. */
export const DEFAULT_SUBSCRIPTION_SETS = ['openconfig-vxlan', 'openconfig-mac-table'] as const;
