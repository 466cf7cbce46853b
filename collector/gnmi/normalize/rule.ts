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
 *   (a MAC table has no count leaf) and publishes the count as a gauge.
 */
import type { VtepSampleName } from '../../../schemas/vtep-telemetry.js';

export type RuleKind = 'counter' | 'gauge' | 'state' | 'count';

export interface NormalizationRule {
  path: string;
  kind: RuleKind;
  /** Canonical name of the matched leaf, or of the count. */
  name?: VtepSampleName | string;
  /** For a final `*`: leaf name → canonical name. */
  leaves?: Record<string, string>;
  /** For `state`: device value → canonical value (default: the value upper-cased). */
  states?: Record<string, string>;
}

export const CAPTURE_FIELDS = ['peer', 'vni', 'vtep', 'networkInstance', 'interface', 'endpoint'] as const;
export type CaptureField = (typeof CAPTURE_FIELDS)[number];
