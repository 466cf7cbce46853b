/**
 * Evaluates a fabric's status from its view and the rules, stores it, and on a transition raises or clears a
 * fabric-status alert: an alert item in the index table (listed by /v1/alerts) and an Alert on evpn.alerts.v1.
 *
 * The status item is written first, with a version condition (the tick and the MSK handler may evaluate at once;
 * one wins), carrying the alert it implies with `published: false`; the alert is then written and published and the
 * flag set. An evaluation that finds an unpublished alert publishes it again, so a crash in between loses nothing.
 */
import { Alert, AlertSeverity, AlertState, AlertType, type IAlert } from '../../schemas/events.js';
import { u64 } from '../../schemas/long.js';
import { type AlertItem, type FabricStatus, type FabricStatusItem, HEALTH_SK, healthKeys, keys } from '../../schemas/tables/index.js';
import { buildFabricView, type FabricHealthView, type ViewOptions } from '../shared/fabric-health/fabric-view.js';
import type { FabricHealthReader } from '../shared/fabric-health/health-reader.js';
import { evaluateStatus } from '../shared/fabric-health/status-rules.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import type { HealthStore } from './health-store.js';

export interface AlertSink {
  publish(alerts: { key: string; value: Uint8Array }[]): Promise<void>;
}

type StoredStatus = FabricStatusItem & { alertPublished?: boolean; clearPending?: { pk: string; sk: string; id: string; raisedAtMs: number } };

const SEVERITY: Record<FabricStatus, number> = {
  ok: AlertSeverity.ALERT_SEVERITY_INFO,
  degraded: AlertSeverity.ALERT_SEVERITY_WARNING,
  critical: AlertSeverity.ALERT_SEVERITY_CRITICAL,
};

export const fabricAlertId = (fabric: string, raisedAtMs: number) => `fabric-status/${fabric}/${raisedAtMs}`;

export function encodeFabricAlert(a: { fabric: string; raisedAtMs: number; clearedAtMs?: number; status: FabricStatus; reasons: string[] }): {
  key: string;
  value: Uint8Array;
} {
  const id = fabricAlertId(a.fabric, a.raisedAtMs);
  const msg: IAlert = {
    id,
    type: AlertType.ALERT_TYPE_FABRIC_STATUS,
    state: a.clearedAtMs ? AlertState.ALERT_STATE_CLEARED : AlertState.ALERT_STATE_RAISED,
    fabric: a.fabric,
    fabrics: [a.fabric],
    raisedAtMs: u64(a.raisedAtMs),
    clearedAtMs: u64(a.clearedAtMs ?? 0),
    detail: a.reasons[0] ?? `fabric ${a.fabric} is ${a.status}`,
    severity: SEVERITY[a.status],
    reasons: a.reasons,
    status: a.status,
  };
  return { key: id, value: Alert.encode(msg).finish() };
}

/** Unchanged status items are rewritten at most this often (their updatedAt says when the status was last checked). */
const REFRESH_MS = 60_000;

export class StatusEvaluator {
  transitions = 0;

  constructor(
    private readonly store: HealthStore,
    private readonly indexStore: HealthStore,
    private readonly reader: FabricHealthReader,
    private readonly sink: AlertSink,
    private readonly viewOptions: (fabric: string) => ViewOptions,
  ) {}

  /** Evaluates one fabric at `nowMs`; returns its view with the status now stored. */
  async evaluate(fabric: string, nowMs: number): Promise<FabricHealthView> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.evaluateOnce(fabric, nowMs);
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= 3) throw err;
      }
    }
  }

  private async evaluateOnce(fabric: string, nowMs: number): Promise<FabricHealthView> {
    const snap = await this.reader.snapshot(fabric, nowMs, true);
    const stored = snap.items.find((i) => i.sk === HEALTH_SK.status) as StoredStatus | undefined;
    const opts = this.viewOptions(fabric);
    const view = buildFabricView({ ...snap, items: snap.items.filter((i) => i.sk !== HEALTH_SK.status) }, opts, nowMs);
    const live = evaluateStatus(view, opts.rules);
    const nowIso = new Date(nowMs).toISOString();
    const changed = stored?.status !== live.status;
    const sameReasons = stored !== undefined && stored.reasons.join('\n') === live.reasons.join('\n');
    const next: StoredStatus = {
      ...healthKeys.status(fabric),
      fabric,
      status: live.status,
      reasons: live.reasons,
      since: changed || !stored ? nowIso : stored.since,
      updatedAt: nowIso,
      version: stored?.version ?? 0,
      ...(stored?.alert && !changed ? { alert: stored.alert, alertPublished: stored.alertPublished } : {}),
      ...(stored?.clearPending ? { clearPending: stored.clearPending } : {}),
    };
    if (changed) {
      this.transitions++;
      if (stored?.alert) next.clearPending = stored.alert;
      if (live.status !== 'ok') {
        const k = keys.alert(nowIso, 'fabric-status', keys.fabricSubject(fabric));
        next.alert = { ...k, id: fabricAlertId(fabric, nowMs), raisedAtMs: nowMs };
        next.alertPublished = false;
      } else {
        delete next.alert;
        delete next.alertPublished;
      }
    }
    const unpublished = next.alertPublished === false || next.clearPending !== undefined;
    const stale = !stored || nowMs - Date.parse(stored.updatedAt) >= REFRESH_MS;
    if (changed || !sameReasons || unpublished || stale) {
      await this.store.putVersioned(next, stored?.version);
      if (unpublished) await this.publish(next);
    }
    view.status = next.status;
    view.reasons = next.reasons;
    view.updatedAt = next.updatedAt;
    return view;
  }

  /** Writes and publishes what the status item says is pending, then marks it done. */
  private async publish(s: StoredStatus): Promise<void> {
    const messages: { key: string; value: Uint8Array }[] = [];
    if (s.clearPending) {
      const c = s.clearPending;
      const clearedAtMs = Date.parse(s.since);
      await this.indexStore.updateIf({ pk: c.pk, sk: c.sk }, { clearedAt: s.since }, [{ attr: 'pk', op: 'exists' }]);
      messages.push(encodeFabricAlert({ fabric: s.fabric, raisedAtMs: c.raisedAtMs, clearedAtMs, status: s.status, reasons: s.reasons }));
    }
    if (s.alert && s.alertPublished === false) {
      const a = s.alert;
      const item: AlertItem = {
        pk: a.pk,
        sk: a.sk,
        id: a.id,
        type: 'fabric-status',
        fabric: s.fabric,
        fabrics: [s.fabric],
        raisedAt: new Date(a.raisedAtMs).toISOString(),
        moveCount: 0,
        windowSeconds: 0,
        detail: s.reasons[0] ?? `fabric ${s.fabric} is ${s.status}`,
        severity: s.status === 'critical' ? 'critical' : 'warning',
        status: s.status,
        reasons: s.reasons,
      };
      await this.indexStore.put(item as unknown as AlertItem & Record<string, unknown>);
      messages.push(encodeFabricAlert({ fabric: s.fabric, raisedAtMs: a.raisedAtMs, status: s.status, reasons: s.reasons }));
    }
    await this.sink.publish(messages);
    const done: StoredStatus = { ...s, alertPublished: s.alert ? true : undefined };
    delete done.clearPending;
    if (!done.alert) delete done.alertPublished;
    await this.store.putVersioned(done, s.version);
  }
}
