/**
 * The canonical names of telemetry.vtep.v1 samples (VtepSample.name) and of gNMI target error kinds
 * (TargetEvent.error_kind): the contract between the gNMI collector and its consumers (fabric health). Names are
 * stable; new ones may be added, none renamed. Where OpenConfig has a leaf for it, the name is that leaf's name.
 *
 * Scope: which of the sample's fields identify what the value is about, besides fabric and device.
 *   device    - the whole device (vtep set when known)
 *   peer      - one remote VTEP (peer set; vtep when known)
 *   vni       - one VNI (vni set; network_instance when known)
 *   interface - one interface (interface set)
 *   mac-table - one network instance's MAC table (network_instance set; vni when known)
 */

export type SampleScope = 'device' | 'peer' | 'vni' | 'interface' | 'mac-table';
export type SampleValueKind = 'counter' | 'gauge' | 'state';

export interface SampleNameInfo {
  kind: SampleValueKind;
  scopes: readonly SampleScope[];
  unit?: 'packets' | 'bytes' | 'entries' | 'nanoseconds';
  /** STATE samples: the values a consumer can rely on (upper case). */
  states?: readonly string[];
  help: string;
}

const UP_DOWN = ['UP', 'DOWN'] as const;
const VXLAN = ['device', 'peer', 'vni'] as const;

export const VTEP_SAMPLE_NAMES = {
  // VXLAN data plane, per VTEP peer, per VNI or per device (openconfig-evpn endpoint counters).
  'total-encap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'packets VXLAN-encapsulated and sent' },
  'total-encap-bytes': { kind: 'counter', scopes: VXLAN, unit: 'bytes', help: 'bytes VXLAN-encapsulated and sent' },
  'unicast-encap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'known-unicast packets encapsulated' },
  'bum-encap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'broadcast, unknown-unicast and multicast packets encapsulated' },
  'drop-encap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'packets dropped on the way into the tunnel' },
  'total-decap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'VXLAN packets received and decapsulated' },
  'total-decap-bytes': { kind: 'counter', scopes: VXLAN, unit: 'bytes', help: 'VXLAN bytes received and decapsulated' },
  'unicast-decap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'known-unicast packets decapsulated' },
  'bum-decap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'BUM packets decapsulated' },
  'drop-decap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'received VXLAN packets dropped' },
  'except-decap-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'received VXLAN packets punted as exceptions' },
  'bum-decap-multicast-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'BUM packets decapsulated that came by underlay multicast' },
  'bum-decap-ir-pkts': { kind: 'counter', scopes: VXLAN, unit: 'packets', help: 'BUM packets decapsulated that came by ingress replication' },
  'unicast-encap-bytes': { kind: 'counter', scopes: VXLAN, unit: 'bytes', help: 'known-unicast bytes encapsulated' },
  'bum-encap-bytes': { kind: 'counter', scopes: VXLAN, unit: 'bytes', help: 'BUM bytes encapsulated' },
  'unicast-decap-bytes': { kind: 'counter', scopes: VXLAN, unit: 'bytes', help: 'known-unicast bytes decapsulated' },
  'bum-decap-bytes': { kind: 'counter', scopes: VXLAN, unit: 'bytes', help: 'BUM bytes decapsulated' },
  'last-clear': {
    kind: 'state',
    scopes: VXLAN,
    states: [],
    help: "when the device's counters of this scope were last cleared, as the device writes it (a change cuts the rate chain)",
  },

  // VTEP peers, VNIs and the VTEP itself.
  'peer-state': { kind: 'state', scopes: ['peer'], states: UP_DOWN, help: 'the remote VTEP is up or down' },
  'peer-uptime': { kind: 'gauge', scopes: ['peer'], unit: 'nanoseconds', help: 'openconfig timeticks64 of the peer discovery, as the device sends it' },
  'peer-vni-state': {
    kind: 'state',
    scopes: ['peer'],
    states: ['UP'],
    help: 'the remote VTEP (peer) is programmed as a destination of the VNI (vni): UP while it is, DELETED when it is gone',
  },
  'vni-state': { kind: 'state', scopes: ['vni'], states: UP_DOWN, help: 'the VNI is up or down' },
  'vni-type': { kind: 'state', scopes: ['vni'], states: ['L2', 'L3'], help: 'layer 2 or layer 3 (VRF) VNI' },
  'learning-mode': { kind: 'state', scopes: ['vni'], states: ['CONTROL_PLANE', 'DATA_PLANE'], help: 'how the VNI learns MACs' },
  'vtep-state': { kind: 'state', scopes: ['device'], states: UP_DOWN, help: 'the local VTEP (NVE) is operationally up or down' },
  'vtep-admin-state': { kind: 'state', scopes: ['device'], states: UP_DOWN, help: 'the local VTEP is administratively enabled (UP) or not (DOWN)' },

  // MAC tables: counted entries (OpenConfig has no count leaf) or the device's own count.
  'mac-count': {
    kind: 'gauge',
    scopes: ['mac-table', 'vni', 'peer'],
    unit: 'entries',
    help: 'MAC addresses in the table (with peer and vni: the MACs behind that remote VTEP in that VNI)',
  },

  // Interface counters (openconfig-interfaces state/counters) and status.
  'in-octets': { kind: 'counter', scopes: ['interface'], unit: 'bytes', help: 'bytes received' },
  'in-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'packets received' },
  'in-unicast-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'unicast packets received' },
  'in-broadcast-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'broadcast packets received' },
  'in-multicast-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'multicast packets received' },
  'in-discards': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'received packets discarded' },
  'in-errors': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'received packets with errors' },
  'out-octets': { kind: 'counter', scopes: ['interface'], unit: 'bytes', help: 'bytes sent' },
  'out-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'packets sent' },
  'out-unicast-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'unicast packets sent' },
  'out-broadcast-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'broadcast packets sent' },
  'out-multicast-pkts': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'multicast packets sent' },
  'out-discards': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'packets discarded before sending' },
  'out-errors': { kind: 'counter', scopes: ['interface'], unit: 'packets', help: 'packets not sent because of errors' },
  'oper-status': {
    kind: 'state',
    scopes: ['interface'],
    states: ['UP', 'DOWN', 'TESTING', 'UNKNOWN', 'DORMANT', 'NOT_PRESENT', 'LOWER_LAYER_DOWN'],
    help: 'interface operational status',
  },
} as const satisfies Record<string, SampleNameInfo>;

export type VtepSampleName = keyof typeof VTEP_SAMPLE_NAMES;

export function isVtepSampleName(name: string): name is VtepSampleName {
  return Object.hasOwn(VTEP_SAMPLE_NAMES, name);
}

/**
 * Names of DELETED samples that remove a whole object (every sample of that scope and key is gone), besides the leaf
 * names above (one leaf deleted).
 */
export const DELETED_OBJECT_NAMES = {
  peer: 'the VTEP peer (peer) is gone',
  vni: 'the VNI (vni) is gone',
  interface: 'the interface is gone',
  'mac-table': 'the network instance MAC table is gone',
} as const;

/** Why a gNMI target went DOWN (TargetEvent.error_kind), also the `kind` label of evpnlens_gnmi_errors_total. */
export const TARGET_ERROR_KINDS = {
  unreachable: 'the TCP connection or gRPC channel could not be established (refused, timeout, DNS)',
  tls: 'the TLS handshake failed (certificate, CA, server name, or plaintext against TLS)',
  auth: 'the target rejected the credentials (UNAUTHENTICATED or PERMISSION_DENIED)',
  keepalive: 'the target closed the connection for too many keepalive pings (GOAWAY too_many_pings); the ping interval was raised',
  quiet: 'a set with a heartbeat interval missed 3 heartbeats: its stream was restarted (silence without a heartbeat is not a failure)',
  rejected: 'the target refused the Subscribe request (INVALID_ARGUMENT, UNIMPLEMENTED, NOT_FOUND, ...)',
  ended: 'the target ended the stream (OK or a status not listed here)',
  malformed: 'the stream could not be decoded (bad frames or protobuf); the stream was restarted',
} as const;

export type TargetErrorKind = keyof typeof TARGET_ERROR_KINDS;
