/** `evpn-lens fabrics` (each fabric's status) and `evpn-lens fabric NAME` (its health view). */
import type { Command } from 'commander';
import type { FabricHealthView } from '../../../functions/shared/fabric-health/fabric-view.js';
import { apiGet, table } from './api-client.js';
import { resolveApiUrl } from './stack-endpoints.js';

interface FabricRow {
  name: string;
  status: string | null;
  reasons: string[];
  macs: number;
  vnis: number;
  vteps: number;
  movesPerMinute: number;
}

type Common = { json?: boolean; api?: string; config?: string };
const common = (c: Command) =>
  c
    .option('--json', 'print JSON')
    .option('--api <url>', 'query API base URL (default: EVPN_LENS_API, else the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir");

const num = (x: number | null | undefined) => (x === null || x === undefined ? '-' : String(Math.round(x * 10) / 10));

/** The view as text: status and reasons first (what a NOC reads first), then the tables. */
export function renderFabric(f: FabricHealthView): string {
  const out: string[] = [];
  out.push(`fabric ${f.fabric}: ${f.status.toUpperCase()}${f.updatedAt ? ` (evaluated ${f.updatedAt})` : ''}`);
  for (const r of f.reasons) out.push(`  - ${r}`);
  out.push('');
  const routes = Object.entries(f.routesByType)
    .map(([t, n]) => `type ${t}: ${n}`)
    .join(', ');
  out.push(
    `sessions ${f.sessions.up}/${f.sessions.total} up · VTEPs ${f.vteps.filter((v) => v.state === 'up').length}/${f.vteps.length} up · ${f.macs} MACs · ${f.vnis.length} VNIs · routes ${routes || 'none'} · churn ${f.churnPerMinute}/min · moves ${f.movesPerMinute}/min · ${f.freshness.stale} stale sources`,
  );
  out.push('');
  out.push(
    table(
      ['ROUTER', 'SYSNAME', 'CONNECTED', 'SINCE'],
      f.routers.map((r) => [r.router, r.sysName, r.connected ? 'yes' : `no (${r.detail})`, r.since]),
    ),
  );
  if (f.sessions.down.length) {
    out.push('');
    out.push(
      table(
        ['ROUTER', 'PEER', 'AS', 'STATE', 'SINCE', 'REASON'],
        f.sessions.down.map((s) => [s.router, s.peer, String(s.peerAsn || ''), s.state, s.since, s.reason]),
      ),
    );
  }
  out.push('');
  out.push(
    table(
      ['VTEP', 'STATE', 'VNIS', 'ROUTES', 'ENCAP PPS', 'DECAP PPS', 'BUM PPS', 'DROPS/S', 'LAST SEEN'],
      f.vteps.map((v) => [
        v.vtep + (v.expected ? '*' : ''),
        v.state,
        v.vnis.join(',') || '-',
        String(v.routes + v.imet),
        num(v.rates?.encapPps),
        num(v.rates?.decapPps),
        num(v.rates?.bumPps),
        num(v.rates?.dropsPps),
        v.lastSeen ?? '-',
      ]),
    ),
  );
  if (f.flapping.length) {
    out.push('');
    out.push(
      table(
        ['FLAPPING MAC', 'VNI', 'SINCE', 'DETAIL'],
        f.flapping.map((m) => [m.mac, String(m.vni), m.since, m.detail]),
      ),
    );
  }
  const stale = f.freshness.sources.filter((s) => s.state === 'stale');
  if (stale.length) {
    out.push('');
    out.push(
      table(
        ['STALE SOURCE', 'KIND', 'LAST SEEN', 'DETAIL'],
        stale.map((s) => [s.name, s.kind, s.lastSeen ?? '-', s.detail]),
      ),
    );
  }
  return out.join('\n');
}

export function register(program: Command): void {
  common(program.command('fabrics').description('list the fabrics with their status (ok, degraded, critical) and why')).action(async (o: Common) => {
    const { fabrics } = await apiGet<{ fabrics: FabricRow[] }>(resolveApiUrl(o), 'v1/fabrics');
    if (o.json) process.stdout.write(`${JSON.stringify({ fabrics }, null, 2)}\n`);
    else
      process.stdout.write(
        `${table(
          ['FABRIC', 'STATUS', 'MACS', 'VNIS', 'VTEPS', 'MOVES/MIN', 'REASONS'],
          fabrics.map((f) => [
            f.name,
            f.status ?? 'unknown',
            String(f.macs),
            String(f.vnis),
            String(f.vteps),
            String(f.movesPerMinute),
            f.reasons.length ? `${f.reasons[0]}${f.reasons.length > 1 ? ` (+${f.reasons.length - 1})` : ''}` : '',
          ]),
        )}\n`,
      );
  });
  common(
    program.command('fabric').argument('<name>', 'fabric name').description("a fabric's health: status and reasons, routers, sessions, VTEPs, rates"),
  ).action(async (name: string, o: Common) => {
    const view = await apiGet<FabricHealthView>(resolveApiUrl(o), `v1/fabrics/${encodeURIComponent(name)}/health`);
    process.stdout.write(o.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderFabric(view)}\n`);
  });
}
