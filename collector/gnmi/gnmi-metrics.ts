/**
 * Per-target metrics of the gNMI collector (prom-client), on the registry the caller passes in. Label `target` is the
 * configured target name; credentials never reach a label or a help text.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TargetErrorKind } from '../../schemas/vtep-telemetry.js';

/** Error kinds counted besides TARGET_ERROR_KINDS: a malformed notification skipped, a stream never synced. */
export type GnmiErrorLabel = TargetErrorKind | 'notification' | 'no-sync';

export interface TargetStatusView {
  name: string;
  connected: boolean;
  synced: boolean;
  lastUpdateAt: number;
  updates: number;
  keepaliveMs: number;
  /** Per subscription set: streaming, retrying, or unimplemented by the target. */
  sets?: ReadonlyMap<string, { state: 'streaming' | 'retrying' | 'unimplemented' }>;
}

export function createGnmiMetrics(registry: Registry, targets: () => Iterable<TargetStatusView>) {
  const rates = new Map<string, { updates: number; at: number; rate: number }>();
  const m = {
    connected: new Gauge({
      name: 'evpnlens_gnmi_target_connected',
      help: 'gNMI target streaming (1) or not (0)',
      labelNames: ['target'],
      registers: [registry],
      collect() {
        for (const t of targets()) this.set({ target: t.name }, t.connected ? 1 : 0);
      },
    }),
    synced: new Gauge({
      name: 'evpnlens_gnmi_target_synced',
      help: 'gNMI target sent sync_response on every stream of its current connection (1) or not (0)',
      labelNames: ['target'],
      registers: [registry],
      collect() {
        for (const t of targets()) this.set({ target: t.name }, t.synced ? 1 : 0);
      },
    }),
    updates: new Counter({ name: 'evpnlens_gnmi_updates_total', help: 'gNMI updates received', labelNames: ['target'], registers: [registry] }),
    updatesPerSecond: new Gauge({
      name: 'evpnlens_gnmi_updates_per_second',
      help: 'gNMI updates received per second since the previous scrape',
      labelNames: ['target'],
      registers: [registry],
      collect() {
        const now = Date.now();
        for (const t of targets()) {
          const r = rates.get(t.name);
          if (r && now > r.at) r.rate = ((t.updates - r.updates) * 1000) / (now - r.at);
          rates.set(t.name, { updates: t.updates, at: now, rate: r?.rate ?? 0 });
          this.set({ target: t.name }, r?.rate ?? 0);
        }
      },
    }),
    samples: new Counter({ name: 'evpnlens_gnmi_samples_total', help: 'telemetry.vtep.v1 samples published', labelNames: ['target'], registers: [registry] }),
    errors: new Counter({
      name: 'evpnlens_gnmi_errors_total',
      help: 'gNMI errors by kind (TARGET_ERROR_KINDS, notification = malformed notification skipped, no-sync = no sync_response in time)',
      labelNames: ['target', 'kind'],
      registers: [registry],
    }),
    reconnects: new Counter({
      name: 'evpnlens_gnmi_reconnects_total',
      help: 'gNMI connection attempts after a failure',
      labelNames: ['target'],
      registers: [registry],
    }),
    lastUpdateAge: new Gauge({
      name: 'evpnlens_gnmi_last_update_age_seconds',
      help: 'Seconds since the target last sent anything (absent before the first response)',
      labelNames: ['target'],
      registers: [registry],
      collect() {
        this.reset();
        const now = Date.now();
        for (const t of targets()) if (t.lastUpdateAt > 0) this.set({ target: t.name }, (now - t.lastUpdateAt) / 1000);
      },
    }),
    setStreaming: new Gauge({
      name: 'evpnlens_gnmi_subscription_streaming',
      help: 'gNMI subscription set streaming (1), retrying alone after a failure (0) or unimplemented by the target (-1)',
      labelNames: ['target', 'set'],
      registers: [registry],
      collect() {
        this.reset();
        for (const t of targets())
          for (const [set, st] of t.sets ?? []) this.set({ target: t.name, set }, st.state === 'streaming' ? 1 : st.state === 'retrying' ? 0 : -1);
      },
    }),
    keepalive: new Gauge({
      name: 'evpnlens_gnmi_keepalive_seconds',
      help: 'gRPC keepalive ping interval in use (raised after a too_many_pings GOAWAY)',
      labelNames: ['target'],
      registers: [registry],
      collect() {
        for (const t of targets()) this.set({ target: t.name }, t.keepaliveMs / 1000);
      },
    }),
  };
  return m;
}

export type GnmiMetrics = ReturnType<typeof createGnmiMetrics>;
