/**
 * Where a MAC is, chosen as EVPN speakers choose among MAC/IP routes (RFC 7432 §7.7, §8, §15):
 * a sticky (static) MAC first, then the highest MAC mobility sequence number (compared with wraparound, RFC 1982),
 * then the lowest next-hop (VTEP) address. Paths from several VTEPs on the same non-zero ESI are one multi-homed
 * location (the Ethernet segment with its set of VTEPs), not competing locations.
 */
import { isIPv4 } from 'node:net';
import { isMultiHomedEsi } from '../../schemas/ethernet-segment.js';
import { compareUnsigned } from '../../schemas/long.js';
import type { MacLocation, MacPath } from '../../schemas/tables/index.js';

/** RFC 1982 serial number comparison on 32 bits: positive when a is newer than b. */
export function compareSeq(a: number, b: number): number {
  if (a === b) return 0;
  const diff = (a - b) >>> 0;
  return diff < 0x80000000 ? 1 : -1;
}

/** Numeric address order (IPv4 before IPv6). */
export function compareAddress(a: string, b: string): number {
  // Most comparisons are of a VTEP with itself (a MAC's paths through several routers and RIB views).
  if (a === b) return 0;
  const ka = addressKey(a);
  const kb = addressKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * A string that sorts as the address does, remembered: sorting a MAC's paths compares the same few VTEPs many times,
 * and building the key (a regex test, a split, four pads) cost more than the rest of choosing the location.
 */
const addressKeys = new Map<string, string>();
function addressKey(x: string): string {
  let k = addressKeys.get(x);
  if (k === undefined) {
    k = isIPv4(x)
      ? `4${x
          .split('.')
          .map((o) => o.padStart(3, '0'))
          .join('')}`
      : `6${x}`;
    if (addressKeys.size >= 65_536) addressKeys.clear(); // bounded: a fabric's VTEPs fit many times over
    addressKeys.set(x, k);
  }
  return k;
}

/** Which of two paths wins; negative when a is preferred. */
export function preferPath(a: MacPath, b: MacPath): number {
  if (a.sticky !== b.sticky) return a.sticky ? -1 : 1;
  const s = compareSeq(a.seq, b.seq);
  if (s !== 0) return -s;
  return compareAddress(a.vtep, b.vtep);
}

/** The identity of a location: the ES for a multi-homed MAC, else the VTEP, within a fabric. */
export function locationIdentity(l: Pick<MacLocation, 'fabric' | 'esi' | 'vtep'>): string {
  return isMultiHomedEsi(l.esi) ? `${l.fabric}|es|${l.esi}` : `${l.fabric}|vtep|${l.vtep}`;
}

const usToIso = (us: string) => new Date(Number(BigInt(us) / 1000n)).toISOString();

const laterUs = (a: string, b: string) => (compareUnsigned(a, b) >= 0 ? a : b);

export function computeLocation(paths: MacPath[], vni: number, previous: MacLocation | undefined, nowIso: string): MacLocation | undefined {
  if (paths.length === 0) return undefined;
  const sorted = [...paths].sort(preferPath);
  const best = sorted[0]!;
  const multiHomed = isMultiHomedEsi(best.esi);
  const members = multiHomed ? sorted.filter((p) => p.esi === best.esi) : sorted.filter((p) => p.vtep === best.vtep);
  const vteps = [...new Set(members.map((p) => p.vtep))].sort(compareAddress);
  const location: MacLocation = {
    fabric: best.fabric,
    vni,
    vtep: vteps[0]!,
    vteps,
    esi: best.esi,
    routers: [...new Set(members.flatMap((p) => p.routers))].sort(),
    ips: [...new Set(members.flatMap((p) => p.ips))].sort(),
    sequence: best.seq,
    sticky: best.sticky,
    since: nowIso,
    lastSeen: usToIso(members.map((p) => p.atUs).reduce(laterUs)),
  };
  if (previous && locationIdentity(previous) === locationIdentity(location)) location.since = previous.since;
  return location;
}

/** Other locations competing with the chosen one (different ES / VTEP), best first. */
export function competitors(paths: MacPath[], chosen: MacLocation): MacPath[] {
  return [...paths].filter((p) => locationIdentity({ fabric: p.fabric, esi: p.esi, vtep: p.vtep }) !== locationIdentity(chosen)).sort(preferPath);
}
