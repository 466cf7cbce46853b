/**
 * Both adapters of the store port, opened the same way, so that a suite can run against each (describe.each):
 * DynamoDB through an in-process dynalite, and the embedded LMDB store in a temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbTableStore } from '../../functions/shared/store/dynamodb-table-store.js';
import type { Item, TableStore } from '../../functions/shared/store/table-store.js';
import { ensureTables } from '../../infra/local/ensure-tables.js';
import { LmdbStore } from '../../infra/local/lmdb-table-store.js';
import { HEALTH_TABLE_ID, healthTable, INDEX_TABLE_ID, indexTable, type TableDefinition, tableName } from '../../schemas/tables/index.js';
import { startTestStore } from './dynalite.js';

/** Every item of a table, page by page. */
export async function scanAll(t: TableStore): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.scan(cursor);
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

export interface OpenedStore {
  adapter: 'dynamodb' | 'lmdb';
  index: TableStore;
  health: TableStore;
  table(def: TableDefinition): TableStore;
  /** A new, empty table of this definition (its own name). */
  freshTable(def: TableDefinition): Promise<TableStore>;
  /** Makes every operation fail for `ms` (the embedded adapter only). */
  refuseFor?: (ms: number) => void;
  stop(): Promise<void>;
}

export type AdapterName = OpenedStore['adapter'];
export const ADAPTERS: AdapterName[] = ['dynamodb', 'lmdb'];

export async function openStore(adapter: AdapterName, o: { clock?: () => number } = {}): Promise<OpenedStore> {
  if (adapter === 'dynamodb') {
    const s = await startTestStore();
    const table = (def: TableDefinition) => new DynamoDbTableStore(s.doc, tableName(def.id, s.prefix), def, o.clock);
    return {
      adapter,
      index: table(indexTable),
      health: table(healthTable),
      table,
      async freshTable(def) {
        const prefix = `f${randomBytes(4).toString('hex')}-`;
        await ensureTables(s.client, prefix, [def]);
        return new DynamoDbTableStore(s.doc, tableName(def.id, prefix), def, o.clock);
      },
      stop: s.stop,
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'evpn-lens-store-'));
  // Property tests open a fresh table per run: room for a few thousand.
  const env = new LmdbStore({ path: dir, syncMs: 0, clock: o.clock, maxDbs: 8192 });
  const table = (def: TableDefinition) => env.table(def.id, def);
  return {
    adapter,
    index: table(indexTable),
    health: table(healthTable),
    table,
    freshTable: async (def) => env.table(`f${randomBytes(4).toString('hex')}-${def.id}`, def),
    refuseFor: (ms) => env.refuseFor(ms),
    stop: async () => {
      await env.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { HEALTH_TABLE_ID, INDEX_TABLE_ID };
