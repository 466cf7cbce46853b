/** `evpn-lens where MAC|IP`: where a host is now (and was), from the query API. */
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { ZERO_ESI } from '../../../schemas/ethernet-segment.js';
import { apiGet, table } from './api-client.js';
import { resolveApiUrl } from './stack-endpoints.js';

interface Loc {
  fabric: string;
  vni: number;
  evi?: string;
  vtep: string;
  vteps: string[];
  esi: string;
  ips: string[];
  sequence: number;
  since: string;
  competing?: (Omit<Loc, 'since' | 'vni'> & { lastSeen: string; conflicting: boolean })[];
}
interface PrefixMatch {
  vrf: string;
  fabric: string;
  prefix: string;
  nextHops: { vtep: string; gatewayIp: string | null; routerMac: string | null }[];
}
interface Host {
  mac: string;
  locations: Loc[];
  history?: { at: string; kind: string; from: Loc | null; to: Loc | null }[];
}

// The chosen location of each VNI, then the other advertisements of the MAC there: "conflicting" when their sequence
// number equals the chosen one's (two hosts may share the MAC), "older seq" otherwise.
const rowsOf = (h: Host) =>
  h.locations.flatMap((l) => [
    [
      h.mac,
      l.fabric,
      l.evi ? `EVI ${l.evi}` : String(l.vni),
      l.vteps.join(','),
      l.esi === ZERO_ESI ? '-' : l.esi,
      l.ips.join(',') || '-',
      String(l.sequence),
      l.since,
      'chosen',
    ],
    ...(l.competing ?? []).map((c) => [
      h.mac,
      c.fabric,
      l.evi ? `EVI ${l.evi}` : String(l.vni),
      c.vteps.join(','),
      c.esi === ZERO_ESI ? '-' : c.esi,
      c.ips.join(',') || '-',
      String(c.sequence),
      c.lastSeen,
      c.conflicting ? 'conflicting' : 'older seq',
    ]),
  ]);

export function register(program: Command): void {
  program
    .command('where')
    .argument('<mac-or-ip>', 'a MAC (aa:bb:cc:dd:ee:ff, AA-BB-…, aabb.ccdd.eeff) or an IPv4/IPv6 address')
    .description('where is this host: fabric, VNI, VTEP(s), Ethernet segment, and its recent moves')
    .option('--at <time>', 'where it was at this ISO-8601 time')
    .option('--json', 'print the API response as JSON')
    .option('--api <url>', 'query API base URL (default: EVPN_LENS_API, else the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir")
    .action(async (what: string, o: { at?: string; json?: boolean; api?: string; config?: string }) => {
      const api = resolveApiUrl(o);
      const byIp = isIP(what)
        ? await apiGet<{ hosts: Host[]; match?: string; prefixes?: PrefixMatch[] }>(api, `v1/hosts?ip=${encodeURIComponent(what)}`)
        : undefined;
      const hosts: Host[] = byIp
        ? byIp.hosts
        : [await apiGet<Host>(api, `v1/hosts/${encodeURIComponent(what)}${o.at ? `?at=${encodeURIComponent(o.at)}` : ''}`)];
      if (o.json) {
        process.stdout.write(`${JSON.stringify(byIp ?? hosts[0], null, 2)}\n`);
        return;
      }
      // No MAC/IP route knows the address: the subnets (type-5 prefixes) that cover it, per VRF and fabric.
      if (byIp?.match === 'prefix' && byIp.prefixes?.length) {
        const rows = byIp.prefixes.map((p) => [
          p.vrf,
          p.fabric,
          p.prefix,
          p.nextHops.map((n) => n.vtep).join(','),
          [...new Set(p.nextHops.map((n) => n.gatewayIp ?? '-'))].join(','),
          [...new Set(p.nextHops.map((n) => n.routerMac ?? '-'))].join(','),
        ]);
        process.stdout.write(
          `${what}: no host route; covered by (match: prefix)\n${table(['VRF', 'FABRIC', 'PREFIX', 'VTEP(S)', 'GATEWAY', 'ROUTER MAC'], rows)}\n`,
        );
        return;
      }
      const rows = hosts.flatMap(rowsOf);
      process.stdout.write(
        rows.length ? `${table(['MAC', 'FABRIC', 'VNI/EVI', 'VTEP(S)', 'ESI', 'IPS', 'SEQ', 'SINCE', 'STATE'], rows)}\n` : `${what}: not present now\n`,
      );
      for (const h of hosts) {
        for (const e of (h.history ?? []).slice(0, 10)) {
          process.stdout.write(
            `  ${e.at}  ${e.kind.padEnd(9)} ${e.from ? `${e.from.fabric}/${e.from.vtep}` : '-'} → ${e.to ? `${e.to.fabric}/${e.to.vtep}` : '-'}\n`,
          );
        }
      }
    });
}
