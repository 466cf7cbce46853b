/**
 * Scalar values of gNMI leaves, exact: TypedValue scalars (spec §2.2.3) and the scalars inside JSON / JSON_IETF values
 * (spec §2.3.1, RFC 7951 §6.1: 64-bit integers are JSON strings). uint64 stays a Long (never a lossy number), and a
 * JSON integer literal too long for a double is kept as its digits.
 */
import Long from 'long';
import { MalformedNotificationError } from '../errors.js';

export type LeafValue =
  | { t: 'uint'; v: Long }
  | { t: 'int'; v: Long }
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'num'; v: number }
  /** a JSON integer literal beyond 2^53, as its digits */
  | { t: 'digits'; v: string }
  /** anything else (leaf-lists, bytes, empty), as JSON text */
  | { t: 'json'; v: string };

const MAX_U64 = '18446744073709551615';

/** Decimal digits as an unsigned 64-bit Long, or undefined when they are not one (sign, fraction, > 2^64-1). */
export function u64FromDigits(s: string): Long | undefined {
  if (s.length === 0 || s.length > 20 || !/^\d+$/.test(s)) return undefined;
  if (s.length === 20 && s > MAX_U64) return undefined;
  return Long.fromString(s, true);
}

/** The value as an exact unsigned 64-bit counter; throws MalformedNotificationError when it is not one. */
export function toU64(v: LeafValue): Long {
  switch (v.t) {
    case 'uint':
      return v.v;
    case 'int':
      if (v.v.isNegative()) break;
      return v.v.toUnsigned();
    case 'num':
      if (Number.isSafeInteger(v.v) && v.v >= 0) return Long.fromNumber(v.v, true);
      break;
    case 'str':
    case 'digits': {
      const l = u64FromDigits(v.v.trim());
      if (l) return l;
      break;
    }
  }
  throw new MalformedNotificationError(`expected an unsigned 64-bit integer, got ${describe(v)}`);
}

/** The value as a state name: identityref module prefixes dropped ("oc-evpn-types:CONTROL_PLANE" → "CONTROL_PLANE"). */
export function toStateText(v: LeafValue): string {
  switch (v.t) {
    case 'str': {
      const colon = v.v.indexOf(':');
      return colon > 0 && !v.v.includes(' ') ? v.v.slice(colon + 1) : v.v;
    }
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'uint':
    case 'int':
      return v.v.toString();
    case 'num':
      return String(v.v);
    case 'digits':
    case 'json':
      return v.v;
  }
}

/** The value as JSON text (64-bit integers as strings, RFC 7951 style). */
export function toJsonText(v: LeafValue): string {
  switch (v.t) {
    case 'uint':
    case 'int':
    case 'digits':
      return JSON.stringify(v.v.toString());
    case 'str':
      return JSON.stringify(v.v);
    case 'bool':
    case 'num':
      return JSON.stringify(v.v);
    case 'json':
      return v.v;
  }
}

function describe(v: LeafValue): string {
  const text = toJsonText(v);
  return `${v.t} ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
}
