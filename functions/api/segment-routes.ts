/** /v1/segments, /v1/segments/{esi}: Ethernet segments (RFC 7432 §8) from the route index. */
import { InvalidCursorError } from '../shared/store/store-errors.js';
import { parseLimit } from './input.js';
import { badRequest, notFound } from './problem.js';
import type { RouteIndexReader } from './route-index-reader.js';

/** 10 octets, colon-separated hex (the collector's form); dashes or dots accepted. */
export function parseEsi(text: string): string {
  const hex = text.trim().toLowerCase().replace(/[:.-]/g, '');
  if (!/^[0-9a-f]{20}$/.test(hex)) throw badRequest(`"${text.slice(0, 64)}" is not an ESI (10 octets, e.g. 00:11:22:33:44:55:66:77:88:99)`);
  return hex.match(/../g)!.join(':');
}

export const badCursor = (err: unknown) => {
  throw err instanceof InvalidCursorError ? Object.assign(badRequest('cursor is not one this API issued'), { cause: err }) : err;
};

export async function getSegment(reader: RouteIndexReader, esiText: string) {
  const esi = parseEsi(esiText);
  const view = await reader.segment(esi);
  if (!view) throw notFound(`Ethernet segment ${esi} has no live route`);
  return view;
}

export async function listSegments(reader: RouteIndexReader, query: Record<string, string | undefined>) {
  const limit = parseLimit(query.limit, 200, 50);
  const page = await reader.segmentPage(limit, query.cursor).catch(badCursor);
  const segments = [];
  for (const it of page.items) {
    const v = await reader.segment(it.sk);
    if (!v) continue; // listed a moment before its last route went
    segments.push({
      esi: v.esi,
      fabrics: v.fabrics,
      mode: v.mode,
      esiLabel: v.esiLabel,
      members: v.members.map((m) => m.vtep),
      evis: v.evis.length,
      dfAlgorithm: v.dfAlgorithm,
      flags: v.flags.length,
      href: `/v1/segments/${v.esi}`,
    });
  }
  return { segments, nextCursor: page.cursor ?? null };
}
