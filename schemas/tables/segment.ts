/**
 * The broadcast domain a MAC is indexed in. A VXLAN route names its VNI (RFC 8365 §5.1.3: the label field carries a
 * network-wide 24-bit VNI). A route without one (MPLS, SRv6: RFC 7432 §7 labels are chosen per PE, so two PEs of one
 * EVI advertise different labels) is indexed by its EVI, named by the route target that imports it; the RD differs per
 * PE and so cannot name it. An EVI-keyed item has `vni` 0 and never counts as a VNI.
 */
export interface Segment {
  vni: number;
  /** The EVI's route target ("65000:100"), for an item without a VNI. */
  evi?: string;
}

/** A segment, or a bare number meaning that VNI. */
export type SegmentRef = Segment | number;

export function asSegment(s: SegmentRef): Segment {
  return typeof s === 'number' ? { vni: s } : s;
}

/** The segment's part of a key: `VNI#<vni>`, as items have always been keyed, or `EVI#<route target>`. */
export function segmentKey(ref: SegmentRef): string {
  const s = asSegment(ref);
  return s.evi ? `EVI#${s.evi}` : `VNI#${s.vni}`;
}

/** The segment as the tail of a sort key: the VNI alone (as before EVIs existed), or `EVI#<route target>`. */
export function segmentTail(ref: SegmentRef): string {
  const s = asSegment(ref);
  return s.evi ? `EVI#${s.evi}` : String(s.vni);
}

/** The in-memory identity of one MAC in one segment (grouping, maps of items read). */
export function macSegmentId(mac: string, s: SegmentRef): string {
  return `${mac}|${segmentKey(s)}`;
}
