/** Where raised and cleared alerts go besides the table: evpn.alerts.v1 (a kafkajs producer), injected. */
import { Alert, AlertSeverity, AlertState, AlertType, type IAlert } from '../../schemas/events.js';
import { u64 } from '../../schemas/long.js';
import type { MacAlertKind, AlertSeverity as Severity } from '../../schemas/tables/index.js';
import type { AlertEffect } from './apply-events.js';

export interface AlertPublisher {
  publish(alerts: { key: string; value: Uint8Array }[]): Promise<void>;
}

const TYPES: Record<MacAlertKind, number> = {
  'mac-flap': AlertType.ALERT_TYPE_MAC_FLAP,
  'duplicate-mac': AlertType.ALERT_TYPE_DUPLICATE_MAC,
  'sticky-move': AlertType.ALERT_TYPE_STICKY_MOVE,
};

const SEVERITIES: Record<Severity, number> = {
  info: AlertSeverity.ALERT_SEVERITY_INFO,
  warning: AlertSeverity.ALERT_SEVERITY_WARNING,
  critical: AlertSeverity.ALERT_SEVERITY_CRITICAL,
};

export function alertId(a: Pick<AlertEffect, 'type' | 'mac' | 'vni' | 'raisedAtMs'>): string {
  return `${a.type}/${a.mac}/${a.vni}/${a.raisedAtMs}`;
}

export function encodeAlert(a: AlertEffect, windowSeconds: number): { key: string; value: Uint8Array } {
  const msg: IAlert = {
    id: alertId(a),
    type: TYPES[a.type],
    state: a.kind === 'raise' ? AlertState.ALERT_STATE_RAISED : AlertState.ALERT_STATE_CLEARED,
    mac: a.mac,
    vni: a.vni,
    fabric: a.fabric,
    fabrics: a.fabrics,
    raisedAtMs: u64(a.raisedAtMs),
    clearedAtMs: u64(a.clearedAtMs ?? 0),
    moveCount: a.moveCount,
    windowSeconds,
    detail: a.detail,
    locations: a.locations.map((l) => ({ fabric: l.fabric, vtep: l.vtep, vteps: l.vteps ?? [l.vtep], esi: l.esi, sequence: l.sequence, vni: l.vni ?? a.vni })),
    crossFabric: a.crossFabric,
    severity: SEVERITIES[a.severity],
  };
  return { key: alertId(a), value: Alert.encode(msg).finish() };
}

/** A publisher that drops alerts (when no Kafka producer is configured); they are still in the table. */
export const noAlertPublisher: AlertPublisher = { publish: async () => undefined };
