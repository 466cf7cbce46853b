/**
 * The embedded store checks a conditional put or delete against the item as batchGet or get last read it (a top-level
 * copy), not a second read (infra/local/lmdb-table-store.ts, lastRead). It must give what a fresh read gives: a write
 * to the key in between makes the condition fail, and what the caller does to the object it was given changes
 * neither the condition nor the index entries the write replaces.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAll } from '../../../../functions/shared/store/query-all.js';
import { ConditionFailedError } from '../../../../functions/shared/store/store-errors.js';
import type { Item } from '../../../../functions/shared/store/table-store.js';
import { LmdbStore, type LmdbTableStore } from '../../../../infra/local/lmdb-table-store.js';
import { indexTable } from '../../../../schemas/tables/index.js';

const version = (v: number) => [{ attr: 'version', op: 'eq', value: v }] as const;

describe('embedded store: a write after a read', () => {
  let dir: string;
  let env: LmdbStore;
  let t: LmdbTableStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'evpn-lens-lmdb-'));
    env = new LmdbStore({ path: dir, syncMs: 0 });
    t = env.table(indexTable.id, indexTable);
  });
  afterEach(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails its condition when the key was written after the read, by any kind of write', async () => {
    for (const other of ['put', 'update', 'batchWrite', 'delete'] as const) {
      const key = { pk: `K#${other}`, sk: 'x' };
      await t.put({ ...key, version: 1 });
      const [read] = await t.batchGet<Item>([key]);
      expect(read?.version).toBe(1);
      if (other === 'put') await t.put({ ...key, version: 2 });
      if (other === 'update') await t.update(key, { set: { version: 2 } });
      if (other === 'batchWrite') await t.batchWrite({ put: [{ ...key, version: 2 }] });
      if (other === 'delete') await t.delete(key);
      await expect(t.put({ ...key, version: 2, by: 'stale reader' }, version(1)), other).rejects.toBeInstanceOf(ConditionFailedError);
    }
  });

  it('checks the condition against what was read, whatever the caller did to the object since', async () => {
    const key = { pk: 'K#mutated', sk: 'x' };
    await t.put({ ...key, version: 1 });
    const read = (await t.get<Item>(key))!;
    read.version = 7; // a caller preparing its next version in place
    await expect(t.put({ ...key, version: 8 }, version(7))).rejects.toBeInstanceOf(ConditionFailedError);
    await t.put({ ...key, version: 2 }, version(1));
    expect((await t.get<Item>(key))?.version).toBe(2);
  });

  it('replaces the index entries the item had when read, even if the caller changed its index keys in place', async () => {
    const key = { pk: 'MAC#02:00:00:00:00:01', sk: 'VNI#100' };
    await t.put({ ...key, version: 1, gsi2pk: 'VTEP#10.0.0.1#00', gsi2sk: 'a' });
    const [read] = await t.batchGet<Item>([key]);
    read!.gsi2pk = 'VTEP#10.0.0.2#00'; // moved, written over the object it read
    read!.version = 2;
    await t.put(read!, version(1));
    expect(await queryAll(t, { index: 'gsi2', pk: 'VTEP#10.0.0.1#00' })).toEqual([]);
    expect((await queryAll(t, { index: 'gsi2', pk: 'VTEP#10.0.0.2#00' })).map((i) => i.pk)).toEqual([key.pk]);
  });

  it('a second put of the same read fails: the first one replaced what was read', async () => {
    const key = { pk: 'K#twice', sk: 'x' };
    await t.put({ ...key, version: 1 });
    await t.batchGet([key]);
    await t.put({ ...key, version: 2 }, version(1));
    await expect(t.put({ ...key, version: 2 }, version(1))).rejects.toBeInstanceOf(ConditionFailedError);
  });
});
