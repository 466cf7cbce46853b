/**
 * Fabric health for Prometheus / Grafana: status, sessions, VTEPs, routes by type, churn, flapping MACs, stale sources
 * and per-VTEP VXLAN rates, read as the API reads them. One scrape reads each fabric's view once (a two-second cache).
 */
import { Gauge, type Registry } from 'prom-client';
import type { HealthApiOptions } from '../../functions/api/fabric-health-routes.js';
import { buildFabricView, type FabricHealthView } from '../../functions/shared/fabric-health/fabric-view.js';
import type { FabricHealthReader } from '../../functions/shared/fabric-health/health-reader.js';
import { statusRank } from '../../schemas/tables/index.js';

const RATE_FIGURES = ['encapPps', 'encapBps', 'decapPps', 'decapBps', 'bumPps', 'dropsPps'] as const;

export function registerHealthMetrics(registry: Registry, reader: FabricHealthReader, o: HealthApiOptions, configured: () => string[]): void {
  let cached: { at: number; value: Promise<FabricHealthView[]> } | undefined;
  const views = (): Promise<FabricHealthView[]> => {
    if (!cached || Date.now() - cached.at > 2_000) {
      const value = (async () => {
        const now = Date.now();
        const names = [...new Set([...configured(), ...(await reader.fabricNames())])].sort();
        const out: FabricHealthView[] = [];
        for (const f of names) out.push(buildFabricView(await reader.snapshot(f, now), { ...o.view, expectedVteps: o.expectedVteps[f] ?? [] }, now));
        return out;
      })().catch(() => []);
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, views: FabricHealthView[]) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        fill(this, await views());
      },
    });
  gauge('evpnlens_fabric_status', 'Fabric status: 0 ok, 1 degraded, 2 critical', ['fabric'], (g, vs) => {
    for (const v of vs) g.set({ fabric: v.fabric }, statusRank(v.status));
  });
  gauge('evpnlens_fabric_sessions', 'BGP EVPN sessions by state (unknown: the reporting router is not connected)', ['fabric', 'state'], (g, vs) => {
    for (const v of vs) {
      g.set({ fabric: v.fabric, state: 'up' }, v.sessions.up);
      g.set({ fabric: v.fabric, state: 'down' }, v.sessions.down.filter((s) => s.state === 'down').length);
      g.set({ fabric: v.fabric, state: 'unknown' }, v.sessions.down.filter((s) => s.state === 'unknown').length);
    }
  });
  gauge('evpnlens_fabric_vteps', 'VTEPs by state', ['fabric', 'state'], (g, vs) => {
    for (const v of vs)
      for (const st of ['up', 'down', 'stale', 'missing']) g.set({ fabric: v.fabric, state: st }, v.vteps.filter((x) => x.state === st).length);
  });
  gauge('evpnlens_fabric_routes', 'Live EVPN routes by route type', ['fabric', 'type'], (g, vs) => {
    for (const v of vs) for (const [t, n] of Object.entries(v.routesByType)) g.set({ fabric: v.fabric, type: t }, n);
  });
  gauge('evpnlens_fabric_churn_per_minute', 'Route changes per minute (last 5 minutes)', ['fabric'], (g, vs) => {
    for (const v of vs) g.set({ fabric: v.fabric }, v.churnPerMinute);
  });
  gauge('evpnlens_fabric_flapping_macs', 'MACs flapping now', ['fabric'], (g, vs) => {
    for (const v of vs) g.set({ fabric: v.fabric }, v.flapping.length);
  });
  gauge('evpnlens_fabric_stale_sources', 'BMP routers and gNMI targets gone quiet', ['fabric'], (g, vs) => {
    for (const v of vs) g.set({ fabric: v.fabric }, v.freshness.stale);
  });
  gauge('evpnlens_vtep_rate', 'VXLAN rates per VTEP (per second, latest minute)', ['fabric', 'vtep', 'figure'], (g, vs) => {
    for (const v of vs)
      for (const t of v.vteps)
        for (const f of RATE_FIGURES) if (t.rates && t.rates[f] !== null) g.set({ fabric: v.fabric, vtep: t.vtep, figure: f }, t.rates[f]);
  });
}
