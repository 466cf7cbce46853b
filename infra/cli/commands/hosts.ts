/** `evpn-lens hosts --vni N | --vtep IP`: the hosts of a VNI or behind a VTEP, all pages. */
import type { Command } from 'commander';
import { apiGet, table } from './api-client.js';
import { resolveApiUrl } from './stack-endpoints.js';

interface Page {
  hosts: { mac: string; locations: { fabric: string; vni: number; vtep: string; ips: string[] }[] }[];
  nextCursor: string | null;
}

export function register(program: Command): void {
  program
    .command('hosts')
    .description('list the hosts of a VNI or behind a VTEP')
    .option('--vni <vni>', 'a VNI')
    .option('--vtep <ip>', 'a VTEP address')
    .option('--limit <n>', 'stop after this many hosts', '10000')
    .option('--json', 'print JSON lines, one host per line')
    .option('--api <url>', 'query API base URL (default: EVPN_LENS_API, else the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir")
    .action(async (o: { vni?: string; vtep?: string; limit: string; json?: boolean; api?: string; config?: string }) => {
      const api = resolveApiUrl(o);
      if (!o.vni === !o.vtep) throw new Error('give exactly one of --vni or --vtep');
      const base = o.vni ? `v1/vnis/${encodeURIComponent(o.vni)}/hosts` : `v1/vteps/${encodeURIComponent(o.vtep!)}/hosts`;
      const rows: string[][] = [];
      let cursor: string | null = null;
      let n = 0;
      do {
        const page: Page = await apiGet<Page>(api, `${base}?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        for (const h of page.hosts) {
          if (n++ >= Number(o.limit)) break;
          if (o.json) process.stdout.write(`${JSON.stringify(h)}\n`);
          for (const l of h.locations) rows.push([h.mac, l.fabric, String(l.vni), l.vtep, l.ips.join(',') || '-']);
        }
        cursor = n < Number(o.limit) ? page.nextCursor : null;
      } while (cursor);
      if (!o.json) process.stdout.write(`${table(['MAC', 'FABRIC', 'VNI', 'VTEP', 'IPS'], rows)}\n${n} hosts\n`);
    });
}
