/** `evpn-lens alerts`: MAC flap, duplicate MAC and sticky-move alerts. */
import type { Command } from 'commander';
import { apiGet, table } from './api-client.js';
import { resolveApiUrl } from './stack-endpoints.js';

interface Alert {
  type: string;
  /** null for alerts about a whole fabric (fabric-status). */
  mac: string | null;
  vni: number | null;
  fabric: string | null;
  fabrics?: string[];
  crossFabric?: boolean;
  raisedAt: string;
  clearedAt: string | null;
  /** Still active, raised before the running stack started (carried over from its last run). */
  raisedBeforeRestart?: boolean;
  detail: string;
}

export function register(program: Command): void {
  program
    .command('alerts')
    .description('list alerts (MAC flaps, duplicate MACs, sticky MACs moving)')
    .option('--type <type>', 'mac-flap | duplicate-mac | sticky-move')
    .option('--since <time>', 'ISO-8601 time (default: 7 days ago)')
    .option('--active', 'only alerts not cleared yet')
    .option('--json', 'print JSON')
    .option('--api <url>', 'query API base URL (default: EVPN_LENS_API, else the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir")
    .action(async (o: { type?: string; since?: string; active?: boolean; json?: boolean; api?: string; config?: string }) => {
      const api = resolveApiUrl(o);
      const q = new URLSearchParams();
      if (o.type) q.set('type', o.type);
      if (o.since) q.set('since', o.since);
      if (o.active) q.set('active', 'true');
      const { alerts } = await apiGet<{ alerts: Alert[] }>(api, `v1/alerts${q.size ? `?${q}` : ''}`);
      if (o.json) process.stdout.write(`${JSON.stringify({ alerts }, null, 2)}\n`);
      else
        process.stdout.write(
          `${table(
            ['TYPE', 'MAC', 'VNI', 'FABRIC', 'RAISED', 'CLEARED', 'DETAIL'],
            alerts.map((a) => [
              a.type,
              a.mac ?? '-',
              a.vni === null || a.vni === undefined ? '-' : String(a.vni),
              a.crossFabric ? `${(a.fabrics ?? []).join('+')} (cross-fabric)` : (a.fabric ?? '-'),
              a.raisedAt,
              a.clearedAt ?? (a.raisedBeforeRestart ? 'active (raised before the restart)' : 'active'),
              a.detail ?? '',
            ]),
          )}\n`,
        );
    });
}
