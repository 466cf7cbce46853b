/**
 * Index figures for Prometheus / Grafana (MACs per fabric and VNI, moves per minute, active alerts), read from the index
 * the way the API reads it. One scrape reads the index once: the gauges share a snapshot kept for two seconds.
 */
import { Gauge, type Registry } from 'prom-client';
import { listAlerts, listFabrics } from '../../functions/api/fabric-alert-routes.js';
import type { IndexReader } from '../../functions/api/index-reader.js';
import { ALERT_KINDS } from '../../schemas/tables/index.js';

type Snapshot = { fabrics: Awaited<ReturnType<typeof listFabrics>>['fabrics']; alerts: Awaited<ReturnType<typeof listAlerts>>['alerts'] };

export function registerIndexMetrics(registry: Registry, reader: IndexReader, configuredFabrics: string[]): void {
  let cached: { at: number; value: Promise<Snapshot> } | undefined;
  const snapshot = (): Promise<Snapshot> => {
    if (!cached || Date.now() - cached.at > 2_000) {
      const value = Promise.all([listFabrics(reader, configuredFabrics), listAlerts(reader, { active: 'true' })])
        .then(([f, a]) => ({ fabrics: f.fabrics, alerts: a.alerts }))
        .catch(() => ({ fabrics: [], alerts: [] }));
      cached = { at: Date.now(), value };
    }
    return cached.value;
  };
  new Gauge({
    name: 'evpnlens_index_macs',
    help: 'MACs located in each fabric (index counters)',
    labelNames: ['fabric'],
    registers: [registry],
    async collect() {
      for (const f of (await snapshot()).fabrics) this.set({ fabric: f.name }, f.macs);
    },
  });
  new Gauge({
    name: 'evpnlens_index_vni_macs',
    help: 'MACs located in each VNI of each fabric (index counters)',
    labelNames: ['fabric', 'vni'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const f of (await snapshot()).fabrics) for (const [vni, n] of Object.entries(f.macsPerVni)) this.set({ fabric: f.name, vni }, n);
    },
  });
  new Gauge({
    name: 'evpnlens_index_moves_per_minute',
    help: 'MAC moves per minute into each fabric over the last 5 minutes',
    labelNames: ['fabric'],
    registers: [registry],
    async collect() {
      for (const f of (await snapshot()).fabrics) this.set({ fabric: f.name }, f.movesPerMinute);
    },
  });
  new Gauge({
    name: 'evpnlens_active_alerts',
    help: 'Alerts raised and not cleared, by type',
    labelNames: ['type'],
    registers: [registry],
    async collect() {
      const { alerts } = await snapshot();
      for (const t of ALERT_KINDS) this.set({ type: t }, alerts.filter((a) => a.type === t).length);
    },
  });
}
