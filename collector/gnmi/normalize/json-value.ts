/**
 * JSON and JSON_IETF values (gNMI spec §2.3.1, RFC 7951) parsed exactly and flattened to leaves.
 *
 * JSON.parse turns an integer literal beyond 2^53 into a rounded double; a device sending a uint64 counter as a bare
 * number under JSON (not JSON_IETF) would lose it. So literals of 16 digits or more are quoted with a marker before
 * parsing and come back as their digits. A container value (a JSON object) becomes one leaf per scalar member, with the
 * member's name (RFC 7951 §4: "module:name" qualified names lose their module) appended to the path. A list (an array
 * of objects) needs its key names to build path keys; they come from the normalization table (`listKeys`).
 */
import { MalformedNotificationError } from '../errors.js';
import type { PathElem } from '../path.js';
import type { LeafValue } from './leaf-value.js';

/** Quotes integer literals of 16+ digits outside strings with the BIG marker, so JSON.parse keeps their digits. */
export function protectBigIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x39) j++;
      const next = text[j];
      const digits = text.slice(i, j);
      if (next !== '.' && next !== 'e' && next !== 'E' && digits.replace('-', '').length >= 16) {
        out += `${text.slice(last, i)}"\\u0001${digits}"`; // the escape, not the control character JSON forbids
        last = j;
      }
      i = j - 1;
    }
  }
  return out + text.slice(last);
}

export function parseJsonExact(bytes: Uint8Array | string): unknown {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(protectBigIntegers(text));
  } catch (err) {
    throw new MalformedNotificationError(`value is not JSON (${(err as Error).message})`, { cause: err });
  }
}

function scalar(v: unknown): LeafValue {
  switch (typeof v) {
    case 'string':
      return v.charCodeAt(0) === 1 ? { t: 'digits', v: v.slice(1) } : { t: 'str', v };
    case 'number':
      return { t: 'num', v };
    case 'boolean':
      return { t: 'bool', v };
    default:
      return { t: 'json', v: JSON.stringify(v, unprotect) };
  }
}

function unprotect(_key: string, v: unknown): unknown {
  return typeof v === 'string' && v.charCodeAt(0) === 1 ? v.slice(1) : v;
}

const localName = (member: string) => {
  const colon = member.indexOf(':');
  return colon >= 0 ? member.slice(colon + 1) : member;
};

export type LeafSink = (rel: PathElem[], value: LeafValue) => void;

/**
 * Calls `emit` for every scalar leaf of a parsed JSON value, with its path relative to the update's path.
 * `listKeys` maps a list's name to its key leaves.
 */
export function flattenJson(value: unknown, listKeys: ReadonlyMap<string, readonly string[]>, emit: LeafSink, rel: PathElem[] = []): void {
  if (value === null || typeof value !== 'object') {
    emit(rel, scalar(value));
    return;
  }
  if (Array.isArray(value)) {
    emit(rel, scalar(value)); // a leaf-list (or a list without a name to key it by): one JSON value
    return;
  }
  for (const [member, v] of Object.entries(value as Record<string, unknown>)) {
    const name = localName(member);
    if (Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
      const keys = listKeys.get(name);
      if (keys) {
        for (const item of v as Record<string, unknown>[]) {
          const key: Record<string, string> = {};
          for (const k of keys) {
            const kv = item[k] ?? findQualified(item, k);
            if (kv !== undefined) key[k] = typeof kv === 'string' ? (unprotect('', kv) as string) : String(kv);
          }
          flattenJson(item, listKeys, emit, [...rel, { name, key }]);
        }
        continue;
      }
    }
    flattenJson(v, listKeys, emit, [...rel, { name }]);
  }
}

function findQualified(item: Record<string, unknown>, key: string): unknown {
  for (const [m, v] of Object.entries(item)) if (localName(m) === key) return v;
  return undefined;
}
