/** /v1/hosts…, /v1/vnis/{vni}/hosts, /v1/vteps/{ip}/hosts */
import { isMultiHomedEsi } from '../../schemas/ethernet-segment.js';
import type { CompetingAdvertisement, HistoryItem, MacItem, MacLocation } from '../../schemas/tables/index.js';
import { keys } from '../../schemas/tables/index.js';
import { InvalidCursorError } from '../shared/store/store-errors.js';
import { type HostLocation, type IndexReader, toHostLocation } from './index-reader.js';
import { decodeCursor, encodeCursor, parseIp, parseLimit, parseMac, parseTime, parseVni } from './input.js';
import { badRequest, notFound } from './problem.js';

/** The other advertisements of a MAC beside its chosen location; `conflicting` = equal sequence (a duplicate MAC). */
const competingView = (c: CompetingAdvertisement) => ({
  fabric: c.fabric,
  vtep: c.vtep,
  vteps: c.vteps,
  esi: c.esi,
  routers: c.routers,
  ips: c.ips,
  sequence: c.sequence,
  lastSeen: c.lastSeen,
  conflicting: c.conflicting,
});

async function locationsOf(reader: IndexReader, items: MacItem[]): Promise<(HostLocation & { competing: ReturnType<typeof competingView>[] })[]> {
  const out = [];
  for (const it of items) {
    if (!it.location) continue;
    const detached = isMultiHomedEsi(it.location.esi) ? await reader.detachedVteps(it.location.esi) : new Set<string>();
    // A multi-homed location links to its Ethernet segment (members, mode, designated forwarders) and says its mode:
    // behind a single-active segment the MAC is at the member advertising it (RFC 7432 §14.1.1: only the DF forwards).
    const mode = isMultiHomedEsi(it.location.esi) ? await reader.segmentMode(it.location.esi) : undefined;
    const segment = isMultiHomedEsi(it.location.esi) ? { segment: `/v1/segments/${it.location.esi}`, ...(mode ? { redundancy: mode } : {}) } : {};
    out.push({ ...toHostLocation(it.location, detached, it.evi), ...segment, competing: (it.competing ?? []).map(competingView) });
  }
  return out;
}

const historyView = (h: HistoryItem) => ({
  at: h.at,
  kind: h.kind,
  vni: h.vni,
  ...(h.evi ? { evi: h.evi } : {}),
  from: h.from ? toHostLocation(h.from, undefined, h.evi) : null,
  to: h.to ? toHostLocation(h.to, undefined, h.evi) : null,
});

/** Where the MAC was at `at`, per VNI: the last history entry not after it, else the location before the first change. */
function locationAt(item: MacItem, history: HistoryItem[], at: string): MacLocation | undefined {
  if (!item.firstSeen || item.firstSeen > at) return undefined;
  const mine = history.filter((h) => h.vni === item.vni && h.evi === item.evi).sort((a, b) => a.at.localeCompare(b.at));
  let loc: MacLocation | undefined = mine.length ? (mine[0]!.from ?? undefined) : item.location;
  if (!mine.length) return item.location && item.location.since <= at ? item.location : loc;
  for (const h of mine) if (h.at <= at) loc = h.to ?? undefined;
  return loc;
}

export async function getHost(reader: IndexReader, macText: string, query: Record<string, string | undefined>) {
  const mac = parseMac(macText);
  const at = query.at !== undefined ? parseTime(query.at, 'at').toISOString() : undefined;
  const [items, history] = await Promise.all([reader.macItems(mac), reader.history(mac)]);
  if (items.length === 0) throw notFound(`MAC ${mac} is not in the index`);
  if (at) {
    const locs = items
      .map((i) => ({ loc: locationAt(i, history, at), evi: i.evi }))
      .filter((x): x is { loc: MacLocation; evi: string | undefined } => x.loc !== undefined);
    return { mac, at, locations: locs.map((x) => toHostLocation(x.loc, undefined, x.evi)), history: history.filter((h) => h.at <= at).map(historyView) };
  }
  const locations = await locationsOf(reader, items);
  if (locations.length === 0 && history.length === 0) throw notFound(`MAC ${mac} is not in the index`);
  return { mac, locations, history: history.map(historyView) };
}

/** `prefixes`: the longest-prefix match of an address no MAC/IP route knows (the route index's type-5 prefixes). */
export async function hostsByIp(reader: IndexReader, query: Record<string, string | undefined>, prefixes?: (ip: string) => Promise<{ matches: unknown[] }>) {
  if (query.ip === undefined) throw badRequest('query parameter ip is required (e.g. /v1/hosts?ip=10.0.0.1)');
  const ip = parseIp(query.ip);
  const bindings = await reader.ipBindings(ip);
  const items = await reader.getMacItems(bindings.map((b) => ({ mac: b.mac, vni: b.vni, evi: b.evi })));
  const byMac = new Map<string, MacItem[]>();
  for (const it of items) byMac.set(it.mac, [...(byMac.get(it.mac) ?? []), it]);
  const hosts = [];
  for (const [mac, list] of [...byMac].sort()) hosts.push({ mac, locations: await locationsOf(reader, list) });
  if (hosts.length === 0 && prefixes) {
    const { matches } = await prefixes(ip);
    if (matches.length) return { ip, match: 'prefix', hosts, prefixes: matches };
  }
  return { ip, match: hosts.length ? 'host' : 'none', hosts };
}

async function pageHosts(reader: IndexReader, index: 'gsi1' | 'gsi2', pkOf: (s: number) => string, query: Record<string, string | undefined>) {
  const limit = parseLimit(query.limit, 500, 50);
  const cursor = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
  // The store checks that the cursor's key is one of this index partition's (never a foreign start key).
  const page = await reader.page(index, pkOf, limit, cursor).catch((err: unknown) => {
    throw err instanceof InvalidCursorError ? Object.assign(badRequest('cursor is not one this API issued'), { cause: err }) : err;
  });
  const hosts = [];
  for (const it of page.items) hosts.push({ mac: it.mac, locations: await locationsOf(reader, [it]) });
  return { hosts, nextCursor: page.next ? encodeCursor(page.next) : null };
}

export async function hostsByVni(reader: IndexReader, vniText: string, query: Record<string, string | undefined>) {
  const vni = parseVni(vniText);
  return { vni, ...(await pageHosts(reader, 'gsi1', (s) => keys.vniShardPk(vni, s), query)) };
}

export async function hostsByVtep(reader: IndexReader, ipText: string, query: Record<string, string | undefined>) {
  const vtep = parseIp(ipText);
  return { vtep, ...(await pageHosts(reader, 'gsi2', (s) => keys.vtepShardPk(vtep, s), query)) };
}
