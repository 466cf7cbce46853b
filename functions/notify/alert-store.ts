/**
 * What the notifier reads from the index (it keeps no state of its own): the raise of an episode, whose labels its
 * clear must repeat, and the alerts still active, which Alertmanager sinks get again every re-send period.
 */
import { type AlertItem, keys } from '../../schemas/tables/index.js';
import { pages, queryAll } from '../shared/store/query-all.js';
import type { TableStore } from '../shared/store/table-store.js';
import type { AlertView } from './alert-view.js';

export interface AlertStore {
  /** The stored raise of the episode `v` belongs to (undefined when not found). */
  raiseOf(v: AlertView): Promise<AlertItem | undefined>;
  /** Alerts raised and not cleared (raised in this month or the `monthsBack` before it). */
  activeAlerts(nowMs: number): Promise<AlertItem[]>;
}

export function indexAlertStore(table: TableStore, monthsBack = 2): AlertStore {
  return {
    async raiseOf(v) {
      // sk = `${raisedAt}#${type}#${subject}`: the subject starts with the MAC (then its VNI or EVI), or names the fabric.
      const subject = v.mac ? `${v.mac}#` : keys.fabricSubject(v.fabric);
      const items = await queryAll<AlertItem>(table, { pk: keys.alertMonthPk(v.raisedAt.slice(0, 7)), prefix: `${v.raisedAt}#${v.kind}#${subject}` });
      return items.find((it) => it.id === v.id);
    },
    async activeAlerts(nowMs) {
      const d = new Date(nowMs);
      const out: AlertItem[] = [];
      for (let i = monthsBack; i >= 0; i--) {
        const month = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7);
        for await (const page of pages<AlertItem>(table, { pk: keys.alertMonthPk(month), consistent: false }))
          out.push(...page.filter((a) => a.clearedAt === undefined));
      }
      return out;
    },
  };
}
