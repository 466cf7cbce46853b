/**
 * An Ethernet segment as the API answers it, computed from its route items (type 4 and type 1; RFC 7432 §8): members,
 * redundancy mode, ESI label, EVIs with their designated forwarder, and what looks broken.
 */
import type { SegmentRouteItem } from '../../../schemas/tables/route-index-items.js';
import { dfChoice, electDf, orderedMembers, serviceValue } from './df-election.js';
import { livePaths, newestLive } from './route-paths.js';

/** RFC 7432 §8.2: the per-ES Ethernet A-D route carries the reserved Ethernet tag MAX-ET. */
export const MAX_ET = 0xffffffff;

export interface SegmentMember {
  vtep: string;
  fabric: string;
  /** Advertises an Ethernet Segment route (type 4): a DF candidate (RFC 7432 §8.5). */
  esRoute: boolean;
  /** Advertises the per-ES Ethernet A-D route (RFC 7432 §8.2). */
  adPerEs: boolean;
  /** EVIs it advertises an A-D per EVI route for. */
  evis: number;
  singleActive?: boolean;
  esiLabel?: number;
  routers: string[];
}

export interface SegmentEvi {
  /** `vni:<vni>` (VXLAN), else `rt:<route target>`, with `#<tag>` for a non-zero Ethernet tag. */
  id: string;
  ethernetTag: number;
  vni?: number;
  routeTarget?: string;
  /** V of RFC 7432 §8.5 (df-election.ts: the tag, else the VNI); null when the routes carry none. */
  serviceValue: number | null;
  df: string | null;
  members: string[];
}

export type SegmentFlag =
  | { kind: 'ad-per-evi-without-es-route'; vtep: string }
  | { kind: 'es-route-without-ad-routes'; vtep: string }
  | { kind: 'mode-mismatch'; singleActive: string[]; allActive: string[] }
  /** RFC 7432 §14.1.1: behind a single-active segment only the DF forwards, so a MAC is advertised by one member. */
  | { kind: 'single-active-macs-on-several-members'; macs: { mac: string; segment: string; members: string[] }[] };

export interface SegmentView {
  esi: string;
  fabrics: string[];
  /** From the ESI Label extended community of the per-ES A-D routes (RFC 7432 §7.5, flag bit 0). */
  mode: 'all-active' | 'single-active' | 'unknown';
  /** The ESI label when every member advertising one agrees, else null (per member in `members`). */
  esiLabel: number | null;
  members: SegmentMember[];
  /** RFC 7432 §8.5 candidate list: the type-4 originators in increasing numeric order. */
  dfCandidates: string[];
  dfAlgorithm: string;
  dfUnsupported?: string;
  evis: SegmentEvi[];
  flags: SegmentFlag[];
}

/** The view of one ESI's route items; undefined when none is live (the segment is gone). */
export function segmentView(
  esi: string,
  items: readonly SegmentRouteItem[],
  severalMembers: readonly { mac: string; segment: string; members: string[] }[] = [],
): SegmentView | undefined {
  const members = new Map<string, SegmentMember & { dfAlg: number | undefined }>();
  const member = (vtep: string, fabric: string) => {
    let m = members.get(vtep);
    if (!m) members.set(vtep, (m = { vtep, fabric, esRoute: false, adPerEs: false, evis: 0, routers: [], dfAlg: undefined }));
    return m;
  };
  const evis = new Map<string, SegmentEvi>();
  for (const it of items) {
    const best = newestLive(it.paths);
    if (!best?.a) continue;
    const routers = new Set(livePaths(it.paths).map((p) => p.r));
    const vtep = it.routeType === 4 ? (it.originator ?? best.a.vtep) : best.a.vtep;
    const m = member(vtep, best.f);
    for (const r of routers) if (!m.routers.includes(r)) m.routers.push(r);
    if (it.routeType === 4) {
      m.esRoute = true;
      m.dfAlg = best.a.dfAlg;
    } else if (it.ethernetTag === MAX_ET) {
      m.adPerEs = true;
      if (best.a.esiLabel !== undefined) m.esiLabel = best.a.esiLabel;
      if (best.a.singleActive !== undefined) m.singleActive = best.a.singleActive;
    } else {
      m.evis++;
      const vni = best.a.vni ?? 0;
      const rt = best.a.routeTargets?.[0];
      const id = `${vni > 0 ? `vni:${vni}` : `rt:${rt ?? it.rd}`}${it.ethernetTag ? `#${it.ethernetTag}` : ''}`;
      let e = evis.get(id);
      const v = serviceValue(it.ethernetTag, vni);
      if (!e)
        evis.set(
          id,
          (e = {
            id,
            ethernetTag: it.ethernetTag,
            ...(vni > 0 ? { vni } : {}),
            ...(vni > 0 || !rt ? {} : { routeTarget: rt }),
            serviceValue: v ?? null,
            df: null,
            members: [],
          }),
        );
      if (!e.members.includes(vtep)) e.members.push(vtep);
    }
  }
  if (members.size === 0) return undefined;
  const all = [...members.values()];
  const candidates = all.filter((m) => m.esRoute);
  const choice = dfChoice(candidates.map((m) => ({ ip: m.vtep, dfAlg: m.dfAlg })));
  for (const e of evis.values()) {
    e.members = orderedMembers(e.members);
    e.df = electDf(choice, e.serviceValue ?? undefined) ?? null;
  }
  const withMode = all.filter((m) => m.singleActive !== undefined);
  const single = withMode.filter((m) => m.singleActive).map((m) => m.vtep);
  const allActive = withMode.filter((m) => !m.singleActive).map((m) => m.vtep);
  const flags: SegmentFlag[] = [];
  for (const m of all) {
    if (m.evis > 0 && !m.esRoute) flags.push({ kind: 'ad-per-evi-without-es-route', vtep: m.vtep });
    if (m.esRoute && !m.adPerEs && m.evis === 0) flags.push({ kind: 'es-route-without-ad-routes', vtep: m.vtep });
  }
  if (single.length && severalMembers.length)
    flags.push({ kind: 'single-active-macs-on-several-members', macs: severalMembers.map((m) => ({ mac: m.mac, segment: m.segment, members: m.members })) });
  if (single.length && allActive.length) flags.push({ kind: 'mode-mismatch', singleActive: orderedMembers(single), allActive: orderedMembers(allActive) });
  const labels = new Set(all.flatMap((m) => (m.esiLabel === undefined ? [] : [m.esiLabel])));
  const ordered = orderedMembers(all.map((m) => m.vtep));
  return {
    esi,
    fabrics: [...new Set(all.map((m) => m.fabric))].sort(),
    // RFC 7432 §7.5: any member saying single-active makes the segment single-active for the others' aliasing.
    mode: single.length ? 'single-active' : allActive.length ? 'all-active' : 'unknown',
    esiLabel: labels.size === 1 ? [...labels][0]! : null,
    members: ordered.map((ip) => {
      const { dfAlg: _ignored, ...m } = members.get(ip)!;
      return { ...m, routers: m.routers.sort() };
    }),
    dfCandidates: choice.ordered,
    dfAlgorithm: choice.algorithm,
    ...(choice.unsupported ? { dfUnsupported: choice.unsupported } : {}),
    evis: [...evis.values()].sort((a, b) => (a.serviceValue ?? 0) - (b.serviceValue ?? 0) || a.id.localeCompare(b.id)),
    flags,
  };
}
