/**
 * What an EVPN route's label fields mean. The 3-octet label field is
 *  - a VNI for VXLAN (RFC 8365 §5.1.3: the whole 24-bit field), when the BGP Encapsulation extended community names
 *    tunnel type 8 (RFC 9012 §4.1) or, without that community, when the router's fabric is configured `vxlan`
 *    (the default: RFC 8365 §5.1.3 lets an encapsulation be configured instead of advertised);
 *  - an MPLS label otherwise (RFC 7432 §7: the high-order 20 bits of the field);
 *  - for SRv6 (a Prefix-SID attribute with an SRv6 service TLV, RFC 9252), part of the SRv6 SID: the label carries the
 *    SID's transposed bits (RFC 9252 §4), and the SID is published as its own field, never as a VNI.
 * A route without a VNI is indexed by its EVI, named by its first route target (the RD differs per PE).
 *
 * FRR 8 reports EVPN labels over BMP as 0. For VXLAN routes only, a label of 0 is read from the route target instead:
 * the plain `ASN:VNI` form FRR and most VXLAN fabrics use, or RFC 8365 §5.1.2.1's auto-derived form (type 1 = VXLAN in
 * the local administrator's top octet, the VNI in its low 24 bits). An MPLS route's route targets say nothing of a VNI.
 *
 * Everything here depends only on a route's NLRI and its UPDATE's attributes, summed up once per UPDATE in an
 * AttributeSummary that held routes keep: a withdrawal, which carries no attributes, is read with its advertisement's.
 */
import { Encapsulation, VniSource } from '../../schemas/events.js';
import { TunnelType } from '../bmp/bgp/ext-community-codes.js';
import { EvpnRouteType } from '../bmp/evpn/evpn-codes.js';
import { formatIpv6 } from '../bmp/reader.js';
import type { EvpnRoute, PathAttributes, Srv6Sid } from '../bmp/types.js';
import type { DefaultEncapsulation } from '../fabric/fabric-resolver.js';

/** The label-relevant meaning of an UPDATE's attributes, with the fingerprint that identifies the attributes. */
export interface AttributeSummary {
  /** Equal keys: equal attributes (and equal meaning). An advertisement with an equal key and NLRI is an exact repeat. */
  readonly key: string;
  readonly nextHop: string;
  readonly encapsulation: Encapsulation;
  /** The first route target: names the EVI of a route without a VNI ("" when the UPDATE has none). */
  readonly evi: string;
  /** VXLAN only: the VNI a route target gives (plain ASN:VNI or RFC 8365 §5.1.2.1), 0 when none does. */
  readonly rtVni: number;
  /** The PMSI tunnel attribute's label field (type 3), -1 when there is none. */
  readonly pmsiLabel: number;
  readonly srv6: Srv6Sid | undefined;
}

/** RFC 8365 §5.1.2.1: the local administrator's top octet is A (1 bit) | type (3 bits) | D-ID (4 bits); type 1 is VXLAN. */
const RT_TYPE_VXLAN = 1;

/**
 * The VNI of a VXLAN route's route targets: the first 2-octet-AS route target whose local administrator is either a
 * plain 24-bit VNI (`65000:10100`) or the RFC 8365 §5.1.2.1 VXLAN form. Other forms (IPv4- or 4-octet-AS-administered,
 * or auto-derived for VLANs, I-SIDs or EVIs) are not VNIs.
 */
export function vniFromRouteTargets(rts: readonly string[]): number {
  for (const rt of rts) {
    const colon = rt.indexOf(':');
    const admin = rt.slice(0, colon);
    if (colon <= 0 || admin.includes('.') || Number(admin) > 0xffff) continue;
    const local = Number(rt.slice(colon + 1));
    const top = local >>> 24;
    if (top !== 0 && ((top >> 4) & 0x7) !== RT_TYPE_VXLAN) continue;
    const vni = local & 0xffffff;
    if (vni > 0) return vni;
  }
  return 0;
}

export function encapsulationOf(attrs: PathAttributes, fabricDefault: DefaultEncapsulation): Encapsulation {
  if (attrs.prefixSid?.srv6) return Encapsulation.ENCAPSULATION_SRV6;
  const tunnels = attrs.extCommunities.encapsulations;
  if (tunnels.includes(TunnelType.Vxlan)) return Encapsulation.ENCAPSULATION_VXLAN;
  if (tunnels.length > 0) return Encapsulation.ENCAPSULATION_MPLS;
  return fabricDefault === 'mpls' ? Encapsulation.ENCAPSULATION_MPLS : Encapsulation.ENCAPSULATION_VXLAN;
}

/** What makes two advertisements with equal NLRI bytes identical: the attributes shared by an UPDATE, and how they are read. */
export function attributesFingerprint(a: PathAttributes, fabricDefault: DefaultEncapsulation): string {
  const x = a.extCommunities;
  const srv6 = a.prefixSid?.srv6;
  return [
    a.nextHop ?? '',
    x.routeTargets.join(','),
    x.macMobility ? `${x.macMobility.seq}${x.macMobility.sticky ? 's' : ''}` : '',
    x.esiLabel ? `${x.esiLabel.label}${x.esiLabel.singleActive ? 's' : ''}` : '',
    x.routerMac ?? '',
    x.defaultGateway ? 'g' : '',
    x.esImportRt ?? '',
    x.encapsulations.length > 0 || srv6 ? x.encapsulations.join(',') : `default ${fabricDefault}`,
    a.pmsi ? `${a.pmsi.tunnelType}/${a.pmsi.label}/${a.pmsi.tunnelId}` : '',
    srv6 ? `${srv6.service}/${srv6.sid.toString('hex')}/${srv6.transpositionLength}/${srv6.transpositionOffset}` : '',
    a.asPath.join(' '),
    a.localPref ?? '',
    a.med ?? '',
    a.communities.join(','),
    a.originatorId ?? '',
  ].join('|');
}

export function summarizeAttributes(a: PathAttributes, fabricDefault: DefaultEncapsulation, key = attributesFingerprint(a, fabricDefault)): AttributeSummary {
  const encapsulation = encapsulationOf(a, fabricDefault);
  const rts = a.extCommunities.routeTargets;
  return {
    key,
    nextHop: a.nextHop ?? '',
    encapsulation,
    evi: rts[0] ?? '',
    rtVni: encapsulation === Encapsulation.ENCAPSULATION_VXLAN ? vniFromRouteTargets(rts) : 0,
    pmsiLabel: a.pmsi?.label ?? -1,
    srv6: a.prefixSid?.srv6,
  };
}

/** A withdrawal of a route the collector never held: no attributes, read as the fabric's default encapsulation. */
export function unknownAttributes(fabricDefault: DefaultEncapsulation): AttributeSummary {
  return {
    key: '',
    nextHop: '',
    encapsulation: fabricDefault === 'mpls' ? Encapsulation.ENCAPSULATION_MPLS : Encapsulation.ENCAPSULATION_VXLAN,
    evi: '',
    rtVni: 0,
    pmsiLabel: -1,
    srv6: undefined,
  };
}

export interface RouteLabels {
  encapsulation: Encapsulation;
  vni: number;
  l3Vni: number;
  vniSource: VniSource;
  /** 20-bit MPLS labels (MPLS only). */
  mplsLabels: number[];
  /** SRv6 SID with the transposed label bits put back (SRv6 only), else "". */
  srv6Sid: string;
  /** The EVI's route target, for a route without a VNI; "" otherwise. */
  evi: string;
}

const NO_LABELS: number[] = [];

/** RFC 9252 §4: the label field's top `length` bits are the SID's bits from `offset` on. */
export function srv6SidOf(s: Srv6Sid, labelField: number): string {
  const sid = Buffer.from(s.sid);
  for (let i = 0; i < s.transpositionLength; i++) {
    const bit = (labelField >>> (23 - i)) & 1;
    const at = s.transpositionOffset + i;
    const mask = 0x80 >> (at & 7);
    sid[at >> 3] = bit ? sid[at >> 3]! | mask : sid[at >> 3]! & ~mask;
  }
  return formatIpv6(sid, 0);
}

/** The labels' meaning, written into `out` (the session reuses one object per route event: no allocation). */
export function labelsInto(route: EvpnRoute, s: AttributeSummary, out: RouteLabels): void {
  const labels = route.labels;
  out.encapsulation = s.encapsulation;
  out.vni = 0;
  out.l3Vni = 0;
  out.vniSource = VniSource.VNI_SOURCE_UNSPECIFIED;
  out.mplsLabels = NO_LABELS;
  out.srv6Sid = '';
  out.evi = s.evi;
  if (s.encapsulation === Encapsulation.ENCAPSULATION_VXLAN) {
    let vni = 0;
    let source: VniSource = VniSource.VNI_SOURCE_LABEL;
    switch (route.routeType) {
      case EvpnRouteType.MacIpAdvertisement:
        vni = labels[0] ?? 0;
        out.l3Vni = labels[1] ?? 0;
        if (vni === 0 && s.rtVni > 0) {
          vni = s.rtVni;
          source = VniSource.VNI_SOURCE_ROUTE_TARGET;
        }
        break;
      case EvpnRouteType.InclusiveMulticastEthernetTag:
        // RFC 8365 §5.1.3: the PMSI tunnel attribute's label is the VNI; without it, the Ethernet tag (VLAN-based).
        if (s.pmsiLabel >= 0) vni = s.pmsiLabel;
        else {
          vni = route.ethernetTag & 0xffffff;
          source = VniSource.VNI_SOURCE_ETHERNET_TAG;
        }
        break;
      case EvpnRouteType.IpPrefix:
        out.l3Vni = labels[0] ?? 0;
        break;
      case EvpnRouteType.EthernetAutoDiscovery:
        vni = labels[0] ?? 0;
        break;
    }
    if (vni > 0) {
      out.vni = vni;
      out.vniSource = source;
      out.evi = '';
    }
  } else if (s.encapsulation === Encapsulation.ENCAPSULATION_SRV6) {
    if (s.srv6) out.srv6Sid = srv6SidOf(s.srv6, labels[0] ?? 0);
  } else if (labels.length > 0) out.mplsLabels = labels.map((l) => l >>> 4);
}

export function labelsOf(route: EvpnRoute, s: AttributeSummary): RouteLabels {
  const out: RouteLabels = {
    encapsulation: s.encapsulation,
    vni: 0,
    l3Vni: 0,
    vniSource: VniSource.VNI_SOURCE_UNSPECIFIED,
    mplsLabels: NO_LABELS,
    srv6Sid: '',
    evi: '',
  };
  labelsInto(route, s, out);
  return out;
}
