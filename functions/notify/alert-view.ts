/**
 * One alert as the notifier sees it, whichever way it came: an Alert record of evpn.alerts.v1 (raise or clear) or an
 * AlertItem of the index (the periodic re-send of active alerts). The sink formats read only this.
 */
import { type Alert, AlertState, AlertType, AlertSeverity as ProtoSeverity } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import { ALERT_SEVERITIES, type AlertItem, type AlertKind, type AlertLocationItem, type AlertSeverity } from '../../schemas/tables/index.js';

export interface AlertView {
  /** Stable per episode (type/subject/raisedAt): the deduplication key. */
  id: string;
  kind: AlertKind;
  state: 'raised' | 'cleared';
  mac?: string;
  vni?: number;
  fabric: string;
  fabrics: string[];
  crossFabric: boolean;
  severity: AlertSeverity;
  raisedAt: string;
  clearedAt?: string;
  moveCount: number;
  windowSeconds: number;
  locations: AlertLocationItem[];
  detail: string;
  status?: string;
  reasons: string[];
}

const KIND_OF_TYPE: Partial<Record<number, AlertKind>> = {
  [AlertType.ALERT_TYPE_MAC_FLAP]: 'mac-flap',
  [AlertType.ALERT_TYPE_DUPLICATE_MAC]: 'duplicate-mac',
  [AlertType.ALERT_TYPE_STICKY_MOVE]: 'sticky-move',
  [AlertType.ALERT_TYPE_FABRIC_STATUS]: 'fabric-status',
};

const SEVERITY_OF_PROTO: Partial<Record<number, AlertSeverity>> = {
  [ProtoSeverity.ALERT_SEVERITY_INFO]: 'info',
  [ProtoSeverity.ALERT_SEVERITY_WARNING]: 'warning',
  [ProtoSeverity.ALERT_SEVERITY_CRITICAL]: 'critical',
};

/**
 * The severity of an alert that does not carry one: a flapping or duplicate MAC is a warning, a sticky (static) MAC
 * seen elsewhere is critical (RFC 7432 §15.2: likely a spoofed or misconfigured host), a fabric's is its status.
 */
export function defaultSeverity(kind: AlertKind, status?: string): AlertSeverity {
  if (kind === 'sticky-move') return 'critical';
  if (kind === 'fabric-status') return status === 'critical' ? 'critical' : status === 'ok' ? 'info' : 'warning';
  return 'warning';
}

export const severityRank = (s: AlertSeverity): number => ALERT_SEVERITIES.indexOf(s);

export class AlertDecodeError extends Error {
  override readonly name = 'AlertDecodeError';
}

const iso = (ms: bigint) => new Date(Number(ms)).toISOString();

/** The view of an Alert record; a record of an unknown type or state is an AlertDecodeError (skipped by the caller). */
export function viewOfAlert(a: Alert): AlertView {
  const kind = KIND_OF_TYPE[a.type];
  if (!kind) throw new AlertDecodeError(`alert ${a.id.slice(0, 80)} has an unknown type ${a.type}`);
  if (a.state !== AlertState.ALERT_STATE_RAISED && a.state !== AlertState.ALERT_STATE_CLEARED)
    throw new AlertDecodeError(`alert ${a.id.slice(0, 80)} has an unknown state ${a.state}`);
  const raisedMs = toBigInt(a.raisedAtMs);
  const clearedMs = toBigInt(a.clearedAtMs);
  const locations: AlertLocationItem[] = a.locations.map((l) => ({
    fabric: l.fabric ?? '',
    vtep: l.vtep ?? '',
    ...(l.vteps?.length ? { vteps: [...l.vteps] } : {}),
    esi: l.esi ?? '',
    sequence: l.sequence ?? 0,
    ...(l.vni ? { vni: l.vni } : {}),
  }));
  const fabrics = [...new Set([...a.fabrics, ...locations.map((l) => l.fabric)].filter(Boolean))];
  const isMac = kind !== 'fabric-status';
  return {
    id: a.id,
    kind,
    state: a.state === AlertState.ALERT_STATE_RAISED ? 'raised' : 'cleared',
    ...(isMac ? { mac: a.mac, vni: a.vni } : {}),
    fabric: a.fabric,
    fabrics,
    crossFabric: a.crossFabric || fabrics.length > 1,
    severity: SEVERITY_OF_PROTO[a.severity] ?? defaultSeverity(kind, a.status),
    raisedAt: iso(raisedMs),
    ...(a.state === AlertState.ALERT_STATE_CLEARED ? { clearedAt: iso(clearedMs > 0n ? clearedMs : BigInt(Date.now())) } : {}),
    moveCount: a.moveCount,
    windowSeconds: a.windowSeconds,
    locations,
    detail: a.detail,
    ...(a.status ? { status: a.status } : {}),
    reasons: [...a.reasons],
  };
}

/** The view of an index AlertItem (an active alert being re-sent, or the raise of an episode being cleared). */
export function viewOfItem(it: AlertItem): AlertView {
  const locations = it.locations ?? [];
  const fabrics = [...new Set([...(it.fabrics ?? []), ...locations.map((l) => l.fabric)].filter(Boolean))];
  return {
    id: it.id,
    kind: it.type,
    state: it.clearedAt ? 'cleared' : 'raised',
    ...(it.type !== 'fabric-status' ? { mac: it.mac, vni: it.vni } : {}),
    fabric: it.fabric,
    fabrics,
    crossFabric: it.crossFabric ?? fabrics.length > 1,
    severity: it.severity ?? defaultSeverity(it.type, it.status),
    raisedAt: it.raisedAt,
    ...(it.clearedAt ? { clearedAt: it.clearedAt } : {}),
    moveCount: it.moveCount,
    windowSeconds: it.windowSeconds,
    locations,
    detail: it.detail,
    ...(it.status ? { status: it.status } : {}),
    reasons: it.reasons ?? [],
  };
}
