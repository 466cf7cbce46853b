/**
 * IP prefixes as the route index keys them: the network address masked to its length and printed canonically
 * (dotted quad; RFC 5952 for IPv6), so that an address's covering prefix of each length is one key to read.
 */
import { isIPv4, isIPv6 } from 'node:net';

export class PrefixSyntaxError extends Error {
  constructor(
    readonly text: string,
    options?: { cause?: unknown },
  ) {
    super(`not an IP prefix: ${JSON.stringify(text.slice(0, 64))}`, options);
    this.name = 'PrefixSyntaxError';
  }
}

export interface IpPrefix {
  family: 4 | 6;
  len: number;
  /** The masked network address as a number. */
  network: bigint;
  /** Canonical text: `10.1.2.0/24`, `2001:db8::/32`. */
  text: string;
}

const bits = (family: 4 | 6) => (family === 4 ? 32 : 128);

function ipv6Value(ip: string): bigint {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const expand = (gs: string[]) =>
    gs.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const v = g.split('.').reduce((n, o) => n * 256 + Number(o), 0);
      return [(v >>> 16).toString(16), (v & 0xffff).toString(16)];
    });
  const hh = expand(h);
  const tt = expand(t);
  const groups = tail === undefined ? hh : [...hh, ...Array(8 - hh.length - tt.length).fill('0'), ...tt];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** An address as (family, number). */
export function addressOf(ip: string): { family: 4 | 6; value: bigint } {
  if (isIPv4(ip)) return { family: 4, value: ip.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n) };
  if (isIPv6(ip) && !ip.includes('%')) return { family: 6, value: ipv6Value(ip) };
  throw new PrefixSyntaxError(ip);
}

export function formatAddress(family: 4 | 6, v: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  const g = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952 §4.2: the longest run (first of equals) of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const mask = (family: 4 | 6, len: number) => {
  const total = bits(family);
  return len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(total - len);
};

export function prefixOf(family: 4 | 6, value: bigint, len: number): IpPrefix {
  const network = value & mask(family, len);
  return { family, len, network, text: `${formatAddress(family, network)}/${len}` };
}

/** `10.1.2.0/24` → the canonical prefix (host bits cleared). */
export function parsePrefix(text: string): IpPrefix {
  const slash = text.lastIndexOf('/');
  if (slash < 0) throw new PrefixSyntaxError(text);
  const { family, value } = addressOf(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  const len = Number(lenText);
  if (!/^\d{1,3}$/.test(lenText) || len > bits(family)) throw new PrefixSyntaxError(text);
  return prefixOf(family, value, len);
}

/** The prefixes of the given lengths that cover `ip`, longest first (one key each: the longest-prefix match's reads). */
export function coveringPrefixes(ip: string, lengths: Iterable<number>): IpPrefix[] {
  const { family, value } = addressOf(ip);
  return [...new Set(lengths)]
    .filter((l) => l >= 0 && l <= bits(family))
    .sort((a, b) => b - a)
    .map((l) => prefixOf(family, value, l));
}
