/**
 * Normalization rules: which gNMI leaves become which telemetry.vtep.v1 samples. The built-in table
 * (builtin-rules.ts) covers OpenConfig, Nokia SR Linux and Cisco NX-OS native paths; users add rules in the
 * configuration (collector.gnmi.normalize), which are tried first.
 *
 * A rule's `path` is a path in the specification's string form where
 * - an element name `*` matches any element, and a final `*` any leaf (named by `leaves`, or by itself when that is a
 *   canonical name);
 * - a key value `*` matches any value, `{field}` matches any value and puts it in the sample's scope field
 *   (peer, vni, vtep, networkInstance, interface, endpoint; a field captured twice is joined with ".");
 * - for `kind: count` the path names a list entry: the rule counts the distinct entries below the other captures
 *   (a MAC table has no count leaf) and publishes the count as a gauge;
 * - for `kind: scope` the leaf's value is part of other samples' scope, not a sample: `name: vtep` the device's own
 *   VTEP address (NX-OS `primaryIp`), `name: vni` the VNI of the captured interface (SR Linux `ingress/vni`: a
 *   vxlan-interface's index is not its VNI), `name: vtep-interface` the interface whose address is the VTEP's
 *   (OpenConfig `source-interface`), `name: interface-address` an address of the captured interface.
 * Element names match without their module prefix (`srl_nokia-tunnel:tunnel` matches `tunnel`): SR Linux qualifies
 * every element whose module differs from its parent's (RFC 7951 §4 applied to paths).
 */
import type { VtepSampleName } from '../../../schemas/vtep-telemetry.js';

export type RuleKind = 'counter' | 'gauge' | 'state' | 'count' | 'scope';

export interface NormalizationRule {
  path: string;
  kind: RuleKind;
  /** Canonical name of the matched leaf, or of the count. */
  name?: VtepSampleName | string;
  /** For a final `*`: leaf name → canonical name. */
  leaves?: Record<string, string>;
  /** For `state`: device value → canonical value (default: the value upper-cased); `*` maps any value (presence). */
  states?: Record<string, string>;
  /** For `state`: publish the value as the device sends it (timestamps such as `last-clear`), not upper-cased. */
  verbatim?: boolean;
  /**
   * For `counter`: the leaves this rule matches are not published one by one; each (name, scope) is published as the
   * sum of every matched leaf path (OpenConfig's per-VNI counters come per address family, ipv4 and ipv6).
   */
  aggregate?: boolean;
  /**
   * For `counter`: derived totals, canonical total → canonical parts. The total is published as the sum of its parts,
   * once every part was seen, unless the device sends the total itself for that scope (NX-OS has only ucast and mcast).
   */
  sums?: Readonly<Record<string, readonly string[]>>;
}

export const CAPTURE_FIELDS = ['peer', 'vni', 'vtep', 'networkInstance', 'interface', 'endpoint'] as const;
export type CaptureField = (typeof CAPTURE_FIELDS)[number];
