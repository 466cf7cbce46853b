/**
 * 64-bit fields of the generated codecs are `Long` (protobufjs --force-long): lossless, unlike number.
 * protobufjs's writer does not accept bigint, so code converts at the edges with these two helpers.
 */
import Long from 'long';

export type U64Like = Long | bigint | number | string | null | undefined;

/** A uint64 field value from a bigint (or a safe integer / decimal string). */
export function u64(value: bigint | number | string): Long {
  return Long.fromString(String(value), true);
}

/** A uint64 field value as bigint; null/undefined are 0n. */
export function toBigInt(value: U64Like): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  return BigInt(value.toString());
}

/**
 * Microseconds from integer milliseconds, as the decimal string stored for µs times: exact, and without BigInt
 * arithmetic (the MAC index stamps every path with one).
 */
export function usOfMs(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) return String(BigInt(ms) * 1000n); // throws for a fraction, as BigInt does
  return ms === 0 ? '0' : `${ms}000`;
}

/** Orders unsigned decimal strings without leading zeros (stored µs times) numerically, without parsing them. */
export function compareUnsigned(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export { Long };
