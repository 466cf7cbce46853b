/**
 * Designated forwarder election for an Ethernet segment (RFC 7432 §8.5, RFC 8584).
 *
 * Default service carving (RFC 7432 §8.5): the PEs that advertised an Ethernet Segment route (type 4) for the ESI are
 * put in an ordered list of their originator IP addresses "in increasing numeric value", ordinals from 0; for an
 * EVI with Ethernet tag (or VLAN) V, the PE with ordinal i is the DF when V mod N = i.
 *
 * What stands for V with VXLAN: a VLAN-based EVI is advertised with Ethernet tag 0 (RFC 7432 §6.1) and, with VXLAN,
 * the VNI in the label field (RFC 8365 §5.1.3); RFC 8365 §8 runs the RFC 7432 DF election with the VNI in place of
 * the VLAN ID, and RFC 8584 §3.2 likewise names the Ethernet tag, or the VNI for VXLAN with tag 0, as the value the
 * algorithms take. So V = the Ethernet tag when it is non-zero, else the VNI; an MPLS EVI with tag 0 carries no V in
 * its routes (the VLAN ID is local configuration): its DF is reported unknown.
 *
 * RFC 8584 DF Election extended community (type 0x06, sub-type 0x06; §3.2): when every member advertises it with the
 * same DF Type, that algorithm applies; when members disagree, or some do not advertise it, every PE reverts to the
 * default election (RFC 8584 §2.2.1). Only the default (DF Type 0) is computed here; HRW (type 1, RFC 8584 §3) and
 * preference-based election (type 2, RFC 9785) are reported as such with the DF unknown (not supported).
 */
import { addressOf } from './ip-prefix.js';

/** RFC 8584 §3.2 / IANA "DF Alg" registry names. */
export const DF_ALGORITHMS: Record<number, string> = { 0: 'modulus', 1: 'hrw', 2: 'preference' };

/** An IP address as a number, for "increasing numeric value" (RFC 7432 §8.5); every IPv4 address below every IPv6 one. */
export function addressValue(ip: string): bigint {
  const a = addressOf(ip);
  return a.family === 4 ? a.value : a.value + (1n << 32n);
}

/** The members in increasing numeric order of their addresses (RFC 7432 §8.5 step 2). */
export function orderedMembers(ips: Iterable<string>): string[] {
  return [...new Set(ips)].sort((a, b) => {
    const d = addressValue(a) - addressValue(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}

/** RFC 7432 §8.5: the DF for V among the ordered members (undefined when there are none). */
export function modulusDf(ordered: readonly string[], v: number): string | undefined {
  return ordered.length ? ordered[v % ordered.length] : undefined;
}

/** V of an EVI (module header): the Ethernet tag, else the VNI of a VXLAN EVI; undefined when the routes carry none. */
export function serviceValue(ethernetTag: number, vni: number): number | undefined {
  if (ethernetTag > 0 && ethernetTag !== 0xffffffff) return ethernetTag;
  return vni > 0 ? vni : undefined;
}

/** The DF Type of an RFC 8584 DF Election extended community's 8 bytes (type, sub-type, RSV|DF Alg, bitmap, reserved). */
export function dfAlgorithmOf(raw: { type: number; value: Uint8Array }[]): number | undefined {
  for (const r of raw) {
    if (r.type !== 0x0606 || r.value.length < 3) continue;
    return r.value[2]! & 0x1f; // RFC 8584 §3.2: the low 5 bits are the DF Alg, the top 3 reserved
  }
  return undefined;
}

export interface DfChoice {
  /** The algorithm in force on the segment (RFC 8584 §2.2.1: the default unless all members agree on another). */
  algorithm: string;
  /** When the algorithm is one this index does not compute. */
  unsupported?: string;
  ordered: string[];
}

/** Which algorithm the members' ES routes select (`undefined`: a member without the DF Election community). */
export function dfChoice(members: { ip: string; dfAlg: number | undefined }[]): DfChoice {
  const ordered = orderedMembers(members.map((m) => m.ip));
  const algs = new Set(members.map((m) => m.dfAlg));
  const agreed = algs.size === 1 ? [...algs][0] : undefined;
  const alg = agreed === undefined ? 0 : agreed;
  const name = DF_ALGORITHMS[alg] ?? `type-${alg}`;
  if (alg === 0) return { algorithm: name, ordered };
  return { algorithm: name, ordered, unsupported: `DF election algorithm ${name} (RFC 8584 DF Type ${alg}) is not computed by evpn-lens` };
}

/** The DF of one EVI: undefined when V is unknown or the algorithm is not supported. */
export function electDf(choice: DfChoice, v: number | undefined): string | undefined {
  if (v === undefined || choice.unsupported) return undefined;
  return modulusDf(choice.ordered, v);
}
