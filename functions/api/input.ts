/**
 * Validation of everything a client sends, before it reaches a DynamoDB expression: MACs in the three usual
 * notations, IPv4/IPv6 addresses, VNIs (24 bits), ISO-8601 times, page sizes and opaque cursors.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { badRequest } from './problem.js';

/** aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff → aa:bb:cc:dd:ee:ff. */
export function parseMac(text: string): string {
  const t = text.trim().toLowerCase();
  let hex: string | undefined;
  if (/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/.test(t) && new Set(t.replace(/[0-9a-f]/g, '')).size === 1) hex = t.replace(/[:-]/g, '');
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/.test(t)) hex = t.replace(/\./g, '');
  if (!hex) throw badRequest(`"${text.slice(0, 64)}" is not a MAC address (use aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff)`);
  return hex.match(/../g)!.join(':');
}

/** An IPv4 or IPv6 address in the collector's canonical text form. */
export function parseIp(text: string): string {
  const t = text.trim();
  const family = isIP(t);
  if (family === 0) throw badRequest(`"${t.slice(0, 64)}" is not an IPv4 or IPv6 address`);
  if (family === 4)
    return t
      .split('.')
      .map((o) => String(Number(o)))
      .join('.');
  // RFC 5952 canonical form, as the collector writes it.
  return new URL(`http://[${t}]/`).hostname.slice(1, -1);
}

export function parseVni(text: string): number {
  if (!/^\d{1,8}$/.test(text)) throw badRequest(`"${text.slice(0, 64)}" is not a VNI (an integer 1..16777215)`);
  const n = Number(text);
  if (n < 1 || n > 0xffffff) throw badRequest(`VNI ${n} is outside 1..16777215`);
  return n;
}

export function parseTime(text: string, name: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text);
  const d = new Date(text);
  if (!ok || Number.isNaN(d.getTime())) throw badRequest(`${name}: "${text.slice(0, 64)}" is not an ISO-8601 time (e.g. 2026-11-24T10:00:00Z)`);
  return d;
}

export function parseLimit(text: string | undefined, max = 500, fallback = 50): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > max) throw badRequest(`limit must be an integer 1..${max}`);
  return Number(text);
}

/** A page position over the 16 GSI shards: which shard, and the store's cursor within it (checked by the store). */
const cursorSchema = z.strictObject({
  s: z.number().int().min(0).max(15),
  k: z.string().min(1).max(2048).optional(),
});
export type Cursor = z.output<typeof cursorSchema>;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** Decodes a cursor; the store checks that its key belongs to the index partition being paged (InvalidCursorError). */
export function decodeCursor(text: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (err) {
    throw Object.assign(badRequest('cursor is not one this API issued'), { cause: err });
  }
  const r = cursorSchema.safeParse(parsed);
  if (!r.success) throw badRequest('cursor is not one this API issued');
  return r.data;
}
