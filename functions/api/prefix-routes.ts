/** /v1/prefixes?ip=, /v1/vrfs, /v1/vrfs/{id}/prefixes: IP prefixes of type-5 routes (RFC 9136) from the route index. */
import type { PrefixItem } from '../../schemas/tables/route-index-items.js';
import { livePaths } from '../shared/route-index/route-paths.js';
import { parseIp, parseLimit } from './input.js';
import { badRequest, notFound } from './problem.js';
import type { RouteIndexReader, VrfInfo } from './route-index-reader.js';
import { badCursor } from './segment-routes.js';

/** The next hops of a prefix in one fabric: the VTEPs advertising it, with gateway IP and router MAC. */
function nextHopsIn(item: PrefixItem, fabric: string) {
  const byVtep = new Map<string, { vtep: string; gatewayIp: string | null; routerMac: string | null; rds: string[]; routers: string[]; esi: string | null }>();
  for (const p of livePaths(item.paths)) {
    if (p.f !== fabric || !p.a) continue;
    let n = byVtep.get(p.a.vtep);
    if (!n)
      byVtep.set(
        p.a.vtep,
        (n = { vtep: p.a.vtep, gatewayIp: p.a.gatewayIp ?? null, routerMac: p.a.routerMac ?? null, rds: [], routers: [], esi: p.a.esi ?? null }),
      );
    if (p.a.rd && !n.rds.includes(p.a.rd)) n.rds.push(p.a.rd);
    if (!n.routers.includes(p.r)) n.routers.push(p.r);
  }
  return [...byVtep.values()].sort((a, b) => a.vtep.localeCompare(b.vtep));
}

const vrfIds = (v: VrfInfo | undefined, id: string) => ({
  vrf: id,
  ...(v?.l3Vni ? { l3Vni: v.l3Vni } : {}),
  ...(v?.routeTarget ? { routeTarget: v.routeTarget } : {}),
});

export interface PrefixMatch {
  vrf: string;
  l3Vni?: number;
  routeTarget?: string;
  fabric: string;
  prefix: string;
  nextHops: ReturnType<typeof nextHopsIn>;
}

/** Longest-prefix match per VRF and fabric (route-index-reader.ts: the bounded reads). */
export async function matchPrefixes(reader: RouteIndexReader, ip: string): Promise<{ matches: PrefixMatch[]; keysRead: number; vrfs: number }> {
  const { items, vrfs, keysRead } = await reader.lpm(ip);
  const best = new Map<string, PrefixItem>();
  const lenOf = (i: PrefixItem) => Number(i.prefix.slice(i.prefix.lastIndexOf('/') + 1));
  for (const it of items)
    for (const f of it.fabrics) {
      const k = `${it.vrf}\u0000${f}`;
      const cur = best.get(k);
      if (!cur || lenOf(it) > lenOf(cur)) best.set(k, it);
    }
  const byId = new Map(vrfs.map((v) => [v.id, v]));
  const matches = [...best]
    .map(([k, it]) => {
      const fabric = k.slice(k.indexOf('\u0000') + 1);
      return { ...vrfIds(byId.get(it.vrf), it.vrf), fabric, prefix: it.prefix, nextHops: nextHopsIn(it, fabric) };
    })
    .sort((a, b) => a.vrf.localeCompare(b.vrf) || a.fabric.localeCompare(b.fabric));
  return { matches, keysRead, vrfs: vrfs.length };
}

export async function prefixesByIp(reader: RouteIndexReader, query: Record<string, string | undefined>) {
  if (query.ip === undefined) throw badRequest('query parameter ip is required (e.g. /v1/prefixes?ip=10.1.2.3)');
  const ip = parseIp(query.ip);
  const r = await matchPrefixes(reader, ip);
  if (r.matches.length === 0) throw notFound(`no IP prefix of any VRF covers ${ip}`);
  const matches = [];
  for (const m of r.matches) {
    const history = await reader.prefixHistory(m.vrf, m.prefix, 10);
    matches.push({ ...m, history: history.map((h) => ({ at: h.at, kind: h.kind, from: h.from, to: h.to })) });
  }
  return { ip, matches, cost: { vrfs: r.vrfs, keysRead: r.keysRead } };
}

export async function listVrfs(reader: RouteIndexReader) {
  return { vrfs: (await reader.vrfs()).map((v) => ({ ...v, href: `/v1/vrfs/${encodeURIComponent(v.id)}/prefixes` })) };
}

export async function vrfPrefixes(reader: RouteIndexReader, id: string, query: Record<string, string | undefined>) {
  if (!/^(\d{1,8}|[0-9.]+:\d+)$/.test(id)) throw badRequest(`"${id.slice(0, 64)}" is not a VRF id (an L3 VNI, or a route target such as 65000:100)`);
  const limit = parseLimit(query.limit, 500, 100);
  const fabric = query.fabric;
  const page = await reader.prefixPage(id, limit, query.cursor).catch(badCursor);
  const prefixes = page.items
    .filter((i) => i.live && (!fabric || i.fabrics.includes(fabric)))
    .map((i) => ({
      prefix: i.prefix,
      fabrics: i.fabrics,
      nextHops: (fabric ? [fabric] : i.fabrics).flatMap((f) => nextHopsIn(i, f).map((n) => ({ fabric: f, ...n }))),
    }));
  if (prefixes.length === 0 && !query.cursor && !page.cursor && !(await reader.vrfs()).some((v) => v.id === id))
    throw notFound(`VRF ${id} is not in the index`);
  return { vrf: id, prefixes, nextCursor: page.cursor ?? null };
}
