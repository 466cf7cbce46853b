/**
 * The MAC index's clock-driven half: what must happen when no further event comes. Every `sweepSeconds` it
 *  - raises the duplicate-mac alert of every watched MAC whose locations have kept equal sequence numbers for
 *    `duplicateHoldSeconds` (RFC 7432 §15.1), naming every location;
 *  - clears alerts that have been quiet for `flapQuietSeconds`.
 * A plain function with its clients injected: locally a timer in the stack calls it, on AWS a scheduled Lambda
 * (the `mac-sweep` row of infra/catalog/schedules.ts, which repeats it every `sweepSeconds` within each minute). It writes as the batch handler does (alert first, the MAC item last under its version), so a
 * sweep racing the batch handler, or another sweep, finds the work done.
 */
import { type Logger, pino } from 'pino';
import { indexTable } from '../../schemas/tables/index.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import { type TableDeps, tableOf } from '../shared/store/table-of.js';
import { type AlertPublisher, encodeAlert, noAlertPublisher } from './alert-publisher.js';
import { type AlertEffect, clearQuiet, raiseHeldDuplicate, watched } from './apply-events.js';
import { MacIndexStore } from './mac-index-store.js';
import { DEFAULT_OPTIONS, type MacIndexOptions } from './options.js';

export type MacIndexSweepDeps = TableDeps & {
  alertPublisher?: AlertPublisher;
  options?: Partial<MacIndexOptions>;
  logger?: Logger;
  /** Share the batch handler's store (and its write counters); else one of its own. */
  store?: MacIndexStore;
};

export interface MacIndexSweep {
  /** Raises held duplicates; returns how many alerts were raised. */
  sweepDuplicates(nowMs?: number): Promise<number>;
  /** Clears quiet alerts; returns how many were cleared. */
  sweepAlerts(nowMs?: number): Promise<number>;
  /** Both, once. */
  sweep(nowMs?: number): Promise<{ raised: number; cleared: number }>;
}

export function createMacIndexSweep(deps: MacIndexSweepDeps): MacIndexSweep {
  const opts: MacIndexOptions = { ...DEFAULT_OPTIONS, ...deps.options };
  const store = deps.store ?? new MacIndexStore(tableOf(deps, indexTable));
  const publisher = deps.alertPublisher ?? noAlertPublisher;
  const log = deps.logger ?? pino({ name: 'mac-index-sweep', level: 'warn' });

  async function emit(alerts: AlertEffect[]): Promise<void> {
    for (const a of alerts) await store.putAlert(a, opts.flapWindowSeconds);
    if (alerts.length) await publisher.publish(alerts.map((a) => encodeAlert(a, opts.flapWindowSeconds)));
  }

  async function sweepDuplicates(nowMs = Date.now()): Promise<number> {
    let raised = 0;
    for (const w of await store.dupWatches(nowMs - opts.duplicateHoldSeconds * 1000)) {
      const item = await store.getMacItem(w.mac, w);
      if (!item || !watched(item)) {
        await store.setDupWatch(w, false); // ended (or raised) since: a leftover of a retried batch
        continue;
      }
      const alerts = raiseHeldDuplicate(item, nowMs, opts);
      if (alerts.length === 0) continue; // not due yet (the conflict restarted after the watch began)
      await emit(alerts);
      try {
        await store.putMacItem(item, item.version);
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
        continue; // a batch wrote the item meanwhile: the next sweep looks again (the alert's key is the same)
      }
      await store.setDupWatch(w, false);
      raised += alerts.length;
      log.info({ mac: item.mac, vni: item.vni, fabrics: alerts[0]?.fabrics }, 'duplicate MAC');
    }
    return raised;
  }

  async function sweepAlerts(nowMs = Date.now()): Promise<number> {
    const d = new Date(nowMs);
    const months = [new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)), d].map((x) => x.toISOString().slice(0, 7));
    let cleared = 0;
    for (const a of await store.activeAlerts(months)) {
      if (a.mac === undefined || a.vni === undefined) continue; // a fabric alert: the health function's to clear
      const item = await store.getMacItem(a.mac, { vni: a.vni, evi: a.evi });
      const out: { alerts: AlertEffect[] } = { alerts: [] };
      if (!item) continue;
      if (!clearQuiet(item, nowMs, opts, out)) continue;
      await emit(out.alerts);
      await store.putMacItem(item, item.version).catch(() => undefined); // a concurrent writer clears it on its next event
      cleared += out.alerts.length;
    }
    return cleared;
  }

  return {
    sweepDuplicates,
    sweepAlerts,
    async sweep(nowMs = Date.now()) {
      const raised = await sweepDuplicates(nowMs);
      const cleared = await sweepAlerts(nowMs);
      return { raised, cleared };
    },
  };
}
