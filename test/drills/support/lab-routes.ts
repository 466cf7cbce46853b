/** Type-2 routes put into and taken out of a real GoBGP speaker, and the index's view of them (MAC → VTEP). */
import type { Gobgp } from '../../../infra/lab/gobgp.js';
import type { IndexSnapshot } from './index-snapshot.js';

export interface LabHost {
  mac: string;
  ip: string;
  vtep: string;
  vni: number;
}

export function labHosts(n: number, o: { macPrefix: string; vtepPrefix: string; vni: number }): LabHost[] {
  return Array.from({ length: n }, (_, i) => ({
    mac: `${o.macPrefix}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`,
    ip: `10.99.${(i >> 8) & 0xff}.${i & 0xff}`,
    vtep: `${o.vtepPrefix}.${(i % 4) + 1}`,
    vni: o.vni,
  }));
}

const keyArgs = (h: LabHost) => ['macadv', h.mac, h.ip, 'etag', '0', 'label', String(h.vni), 'rd', `${h.vtep}:${h.vni % 65536}`];

export async function advertise(r: Gobgp, hosts: LabHost[]): Promise<void> {
  for (const h of hosts) await r.evpn('add', [...keyArgs(h), 'rt', `65000:${h.vni}`, 'encap', 'vxlan', 'nexthop', h.vtep]);
}

export async function withdraw(r: Gobgp, hosts: LabHost[]): Promise<void> {
  for (const h of hosts) await r.evpn('del', keyArgs(h));
}

/** MACs whose indexed VTEP is not the expected one: missing, ghosts (indexed, not expected) and misplaced. */
export function locationDiffs(snap: IndexSnapshot, expected: LabHost[], macPrefix: string): { missing: string[]; ghosts: string[]; misplaced: string[] } {
  const want = new Map(expected.map((h) => [`${h.mac}|VNI#${h.vni}`, h.vtep]));
  const have = new Map([...snap].filter(([k]) => k.startsWith(macPrefix)).map(([k, s]) => [k, s.vtep]));
  return {
    missing: [...want.keys()].filter((k) => !have.has(k)),
    ghosts: [...have.keys()].filter((k) => !want.has(k)),
    misplaced: [...want].filter(([k, v]) => have.has(k) && have.get(k) !== v).map(([k]) => k),
  };
}
