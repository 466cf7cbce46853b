/**
 * Opening an index written by an earlier version. Version 1 (no marker item) stored every MAC under `VNI#<vni>`,
 * where the "VNI" of an MPLS or SRv6 route was really its label (an MPLS label 24002 became VNI 384032). A stored
 * item does not say which encapsulation its routes had, so such items cannot be told from VXLAN ones and re-keyed.
 * Version 2 therefore drops what the route events built and the collector re-sends anyway: MAC items, IP bindings,
 * the per-fabric MAC counters and the VNI / VTEP registry. A restarted collector holds no routes, so every router's
 * reconnecting BMP session re-advertises its whole table, and the index is rebuilt with the new keys (VXLAN MACs under
 * the same `VNI#<vni>` as before, the others under `EVI#<route target>`). Move history, Ethernet-segment state, alerts
 * (MAC alerts still open are cleared: the items that would clear them are gone), moves per minute and the fabric list
 * are kept. A marker item records the version, so this runs once.
 */
import type { Logger } from 'pino';
import { keys } from '../../schemas/tables/index.js';
import type { Key, TableStore } from '../shared/store/table-store.js';
/** 1: MACs keyed by the label's value whatever the encapsulation; 2: VNI for VXLAN, EVI route target otherwise. */
export const INDEX_SCHEMA_VERSION = 2;

export interface MigrationResult {
  from: number;
  to: number;
  deleted: number;
  alertsCleared: number;
}

/** Whether an item was built from route events under the version-1 meaning (and is rebuilt by the collector). */
function derivedFromRoutes(pk: string, sk: string): boolean {
  if (pk.startsWith('MAC#') || pk.startsWith('IP#') || pk.startsWith('DUPWATCH#')) return true;
  return pk.startsWith('FABRIC#') && (sk.startsWith('COUNT#') || sk.startsWith('VNI#') || sk.startsWith('VTEP#'));
}

export async function migrateIndex(table: TableStore, log?: Logger, nowIso = new Date().toISOString()): Promise<MigrationResult> {
  const marker = await table.get(keys.indexVersion);
  const from = Number(marker?.version ?? 1);
  const result: MigrationResult = { from, to: INDEX_SCHEMA_VERSION, deleted: 0, alertsCleared: 0 };
  if (from >= INDEX_SCHEMA_VERSION) return result;

  let cursor: string | undefined;
  do {
    const page = await table.scan(cursor, 500);
    const doomed: Key[] = [];
    for (const it of page.items as { pk: string; sk: string; mac?: string; clearedAt?: string }[]) {
      if (derivedFromRoutes(it.pk, it.sk)) doomed.push({ pk: it.pk, sk: it.sk });
      else if (it.pk.startsWith('ALERT#') && it.mac && !it.clearedAt) {
        await table.update({ pk: it.pk, sk: it.sk }, { set: { clearedAt: nowIso } });
        result.alertsCleared++;
      }
    }
    await table.batchWrite({ delete: doomed });
    result.deleted += doomed.length;
    cursor = page.cursor;
  } while (cursor);
  await table.put({ ...keys.indexVersion, version: INDEX_SCHEMA_VERSION, migratedAt: nowIso });
  if (result.deleted > 0 || result.alertsCleared > 0) {
    log?.warn(
      result,
      'index written by an earlier version: MAC items, IP bindings and fabric counters dropped, to be rebuilt from the routers’ re-sent tables',
    );
  }
  return result;
}
