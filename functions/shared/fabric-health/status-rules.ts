/**
 * The status of a fabric from its view and the configured rules (`health.rules`): every rule that fires adds its
 * reasons and imposes its status; the fabric's status is the worst of them, `ok` when none fires.
 */
import { type FabricStatus, worstStatus } from '../../../schemas/tables/index.js';
import type { FabricHealthView } from './fabric-view.js';

export type RuleStatus = 'off' | 'degraded' | 'critical';

export interface StatusRules {
  sessionDown: RuleStatus;
  sessionsDownCriticalPercent: number;
  vtepMissing: RuleStatus;
  drops: RuleStatus;
  dropsPerSecond: number;
  flappingMac: RuleStatus;
  staleSource: RuleStatus;
  peerDown: RuleStatus;
  vniDown: RuleStatus;
  crossCheck: RuleStatus;
  staleLeaf: RuleStatus;
  macCount: RuleStatus;
  macCountTolerancePercent: number;
  macCountHoldSeconds: number;
}

/** The rules' defaults (functions/health/options.ts documents them; the configuration overrides them). */
export const DEFAULT_STATUS_RULES: StatusRules = {
  sessionDown: 'degraded',
  sessionsDownCriticalPercent: 50,
  vtepMissing: 'critical',
  drops: 'degraded',
  dropsPerSecond: 100,
  flappingMac: 'degraded',
  staleSource: 'degraded',
  peerDown: 'degraded',
  vniDown: 'degraded',
  crossCheck: 'degraded',
  // Off by default: the openconfig/gnmi reference server (and so labs built on it) sends a SAMPLE leaf only when it
  // changes, so every unchanged peer would turn stale; on real devices, which resend, set it to degraded.
  staleLeaf: 'off',
  macCount: 'degraded',
  macCountTolerancePercent: 10,
  macCountHoldSeconds: 30,
};
export const DEFAULT_GNMI_INTERVAL_SECONDS = 10;
export const DEFAULT_STALE_AFTER_INTERVALS = 3;

/** At most this many reasons are listed; the rest are counted. */
export const MAX_REASONS = 20;

export function evaluateStatus(
  view: Omit<FabricHealthView, 'status' | 'reasons' | 'updatedAt'>,
  rules: StatusRules,
): { status: FabricStatus; reasons: string[] } {
  let status: FabricStatus = 'ok';
  const reasons: string[] = [];
  const fire = (rule: RuleStatus, lines: string[]) => {
    if (rule === 'off' || lines.length === 0) return;
    status = worstStatus(status, rule);
    reasons.push(...lines);
  };

  const sessionsDown = view.sessions.down.filter((s) => s.state === 'down');
  if (rules.sessionDown !== 'off' && sessionsDown.length) {
    const share = (100 * sessionsDown.length) / Math.max(1, view.sessions.total);
    fire(
      share >= rules.sessionsDownCriticalPercent ? 'critical' : rules.sessionDown,
      sessionsDown.map((s) => `EVPN session ${s.router} → ${s.peer}${s.peerAsn ? ` (AS ${s.peerAsn})` : ''} down since ${s.since}: ${s.reason}`),
    );
  }
  fire(
    rules.vtepMissing,
    view.vteps
      .filter((v) => v.expected && v.state === 'missing')
      .map((v) => `expected VTEP ${v.vtep} missing: no route names it and no gNMI sample reports it`),
  );
  fire(
    rules.drops,
    view.vteps
      .filter((v) => (v.rates?.dropsPps ?? 0) > rules.dropsPerSecond)
      .map((v) => `VTEP ${v.vtep} drops ${v.rates!.dropsPps} VXLAN packets/s (over ${rules.dropsPerSecond}) in ${v.rates!.minute}`),
  );
  fire(
    rules.flappingMac,
    view.flapping.map((f) => `MAC ${f.mac} flapping in VNI ${f.vni} since ${f.since} (${f.detail})`),
  );
  const tunnels = view.tunnels ?? [];
  const said = (t: (typeof tunnels)[number]) => (t.state === 'DELETED' ? 'deleted' : `reports ${t.state}`);
  fire(
    rules.peerDown,
    tunnels.filter((t) => t.kind === 'peer' && t.state !== 'UP').map((t) => `${t.device} ${said(t)} remote VTEP ${t.key} (gNMI) since ${t.since}`),
  );
  fire(
    rules.vniDown,
    tunnels.filter((t) => t.kind === 'vni' && t.state !== 'UP').map((t) => `${t.device} ${said(t)} VNI ${t.key} (gNMI) since ${t.since}`),
  );
  fire(
    rules.crossCheck,
    (view.crossCheck ?? []).filter((c) => c.kind !== 'macs').map((c) => `${c.detail} (BMP type-3 route against gNMI, since ${c.since})`),
  );
  fire(
    rules.macCount,
    (view.crossCheck ?? []).filter((c) => c.kind === 'macs').map((c) => `${c.detail} (BMP type-2 routes against gNMI, since ${c.since})`),
  );
  fire(
    rules.staleLeaf,
    (view.staleLeaves ?? []).map(
      (t) => `${t.device} ${t.kind === 'peer' ? 'remote VTEP' : 'VNI'} ${t.key} stale (gNMI): last reported ${t.state} at ${t.lastSeen}, not refreshed since`,
    ),
  );
  fire(
    rules.staleSource,
    view.freshness.sources.filter((s) => s.state === 'stale').map((s) => `stale ${s.kind === 'bmp' ? 'BMP router' : 'gNMI target'} ${s.name}: ${s.detail}`),
  );
  if (reasons.length > MAX_REASONS) {
    const more = reasons.length - (MAX_REASONS - 1);
    reasons.splice(MAX_REASONS - 1, reasons.length, `and ${more} more`);
  }
  return { status, reasons };
}
