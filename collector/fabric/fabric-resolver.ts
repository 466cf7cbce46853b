/**
 * Which fabric (data center) a router belongs to: the first configured rule that matches its BGP ID, its sysName
 * (glob, from the BMP Initiation) or the BMP session's source address (CIDR). Unmatched routers get DEFAULT_FABRIC.
 */
import { BlockList, isIP } from 'node:net';

export const DEFAULT_FABRIC = 'default';

/**
 * How a fabric's EVPN routes are read when they carry no BGP Encapsulation extended community (RFC 8365 §5.1.3 lets
 * the encapsulation be configured instead): VXLAN (labels are VNIs) unless configured `mpls`.
 */
export type DefaultEncapsulation = 'vxlan' | 'mpls';

export interface FabricRule {
  name: string;
  match: { routerIds?: string[]; sysNames?: string[]; addresses?: string[] };
  /** `fabrics[].encapsulation`; vxlan when absent. */
  encapsulation?: DefaultEncapsulation;
}

export interface RouterIdentity {
  address: string;
  sysName?: string;
  bgpId?: string;
}

function globToRegExp(glob: string): RegExp {
  const esc = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, 'i');
}

function blockListOf(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) {
    const [addr, len] = c.split('/') as [string, string | undefined];
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (len === undefined) list.addAddress(addr, family);
    else list.addSubnet(addr, Number(len), family);
  }
  return list;
}

export function stripMappedV4(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export class FabricResolver {
  private readonly rules: { name: string; ids: Set<string>; names: RegExp[]; addresses: BlockList }[];
  private readonly encapsulations: Map<string, DefaultEncapsulation>;

  constructor(rules: FabricRule[]) {
    this.encapsulations = new Map(rules.map((r) => [r.name, r.encapsulation ?? 'vxlan']));
    this.rules = rules.map((r) => ({
      name: r.name,
      ids: new Set(r.match.routerIds ?? []),
      names: (r.match.sysNames ?? []).map(globToRegExp),
      addresses: blockListOf(r.match.addresses ?? []),
    }));
  }

  resolve(router: RouterIdentity): string {
    const address = stripMappedV4(router.address);
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    for (const r of this.rules) {
      if (router.bgpId && r.ids.has(router.bgpId)) return r.name;
      if (router.sysName && r.names.some((re) => re.test(router.sysName!))) return r.name;
      if (isIP(address) && r.addresses.check(address, family)) return r.name;
    }
    return DEFAULT_FABRIC;
  }

  /** The configured default encapsulation of a fabric (vxlan for the default fabric and any not configured). */
  encapsulationOf(fabric: string): DefaultEncapsulation {
    return this.encapsulations.get(fabric) ?? 'vxlan';
  }
}

/** An allowlist of router source addresses; empty means any. */
export function addressAllowList(cidrs: string[]): (address: string) => boolean {
  if (cidrs.length === 0) return () => true;
  const list = blockListOf(cidrs);
  return (address) => {
    const a = stripMappedV4(address);
    return isIP(a) !== 0 && list.check(a, isIP(a) === 6 ? 'ipv6' : 'ipv4');
  };
}
