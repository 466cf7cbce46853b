/** Alert records of evpn.alerts.v1 as the MAC index publishes them, and MSK batches of them, for notifier tests. */
import type { MSKEvent } from 'aws-lambda';
import { Alert, AlertSeverity, AlertState, AlertType, type IAlert } from '../../schemas/events.js';
import { u64 } from '../../schemas/long.js';
import { TOPICS } from '../../schemas/topics.js';

export function flapAlert(
  o: { mac: string; vni?: number; fabric?: string; fabrics?: string[]; raisedAtMs: number; clearedAtMs?: number } & Omit<
    IAlert,
    'mac' | 'vni' | 'fabric' | 'fabrics' | 'raisedAtMs' | 'clearedAtMs'
  >,
): IAlert {
  const { mac, vni = 10100, fabric = 'dc1', fabrics = [fabric], raisedAtMs, clearedAtMs, ...rest } = o;
  return {
    id: `mac-flap/${mac}/${vni}/${raisedAtMs}`,
    type: AlertType.ALERT_TYPE_MAC_FLAP,
    state: clearedAtMs ? AlertState.ALERT_STATE_CLEARED : AlertState.ALERT_STATE_RAISED,
    mac,
    vni,
    fabric,
    fabrics,
    raisedAtMs: u64(raisedAtMs),
    clearedAtMs: u64(clearedAtMs ?? 0),
    moveCount: 5,
    windowSeconds: 180,
    detail: '5 moves within 180 s (last 10.0.0.1 → 10.0.0.2)',
    severity: AlertSeverity.ALERT_SEVERITY_UNSPECIFIED,
    ...rest,
  };
}

export interface AlertRecord {
  alert: IAlert | Uint8Array;
  partition?: number;
  offset?: number;
  /** When the record was published (ms). */
  timestamp?: number;
}

/** One MSK batch of evpn.alerts.v1, records grouped per partition in the given order. */
export function alertBatch(records: AlertRecord[], topic: string = TOPICS.alerts): MSKEvent {
  const out: Record<string, unknown[]> = {};
  records.forEach((r, i) => {
    const p = r.partition ?? 0;
    const value = r.alert instanceof Uint8Array ? r.alert : Alert.encode(r.alert).finish();
    const key = r.alert instanceof Uint8Array ? 'x' : (r.alert.id ?? '');
    (out[`${topic}-${p}`] ??= []).push({
      topic,
      partition: p,
      offset: r.offset ?? i,
      timestamp: r.timestamp ?? Date.now(),
      timestampType: 'CREATE_TIME',
      key: Buffer.from(key).toString('base64'),
      value: Buffer.from(value).toString('base64'),
      headers: [],
    });
  });
  return { eventSource: 'aws:kafka', eventSourceArn: 'arn:test', bootstrapServers: 'test', records: out } as unknown as MSKEvent;
}
