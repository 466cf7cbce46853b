/**
 * The embedded store's group commit (infra/local/lmdb-table-store.ts): the writes in flight at once share one LMDB
 * transaction, each checking its condition against the writes issued before it; a read waits for their commit; a
 * commit that fails rejects every write it carried and leaves none of them behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, StoreUnavailableError } from '../../../../functions/shared/store/store-errors.js';
import { LmdbStore } from '../../../../infra/local/lmdb-table-store.js';
import { indexTable } from '../../../../schemas/tables/index.js';

describe('embedded store group commit', () => {
  let dir: string;
  let env: LmdbStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'evpn-lens-lmdb-'));
    env = new LmdbStore({ path: dir, syncMs: 0 });
  });
  afterEach(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sweeps the expired items of a table of several pages and reads thousands of keys at once (both with event-loop turns)', async () => {
    const t = env.table(indexTable.id, indexTable);
    const now = Math.floor(Date.now() / 1000); // the store's own clock decides what a read returns
    const items = Array.from({ length: 2_500 }, (_, i) => ({ pk: `M${String(i).padStart(5, '0')}`, sk: 'x', ...(i % 2 ? { expiresAt: now - 1 } : {}) }));
    await t.batchWrite({ put: items });

    expect(await t.batchGet(items.map(({ pk, sk }) => ({ pk, sk })))).toHaveLength(1_250); // the expired ones are not read
    expect(await t.sweepExpired(now)).toBe(1_250);
    expect(t.itemCount()).toBe(1_250);
    expect(await t.sweepExpired(now)).toBe(0);
  });

  it('commits the writes in flight at once in one transaction, each condition seeing the writes issued before it', async () => {
    const t = env.table(indexTable.id, indexTable);
    const key = { pk: 'P', sk: 'x' };
    const before = env.commits.transactions;
    const outcomes = await Promise.allSettled([
      t.put({ ...key, version: 1, by: 'first' }, [{ attr: 'pk', op: 'notExists' }]),
      t.put({ ...key, version: 1, by: 'second' }, [{ attr: 'pk', op: 'notExists' }]),
      t.update(key, { add: { n: 1 } }, [{ attr: 'version', op: 'eq', value: 1 }]),
      t.put({ pk: 'P', sk: 'y', gsi1pk: 'G', gsi1sk: 'y' }),
      t.delete({ pk: 'P', sk: 'y' }, [{ attr: 'pk', op: 'exists' }]),
      t.delete({ pk: 'P', sk: 'y' }, [{ attr: 'pk', op: 'exists' }]),
      t.batchWrite({ put: Array.from({ length: 50 }, (_, i) => ({ pk: 'Q', sk: String(i), gsi1pk: 'G', gsi1sk: `q${i}` })) }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConditionFailedError);
    expect(env.commits.transactions - before).toBe(1);
    expect(await t.get(key)).toEqual({ ...key, version: 1, by: 'first', n: 1 });
    expect(await t.get({ pk: 'P', sk: 'y' })).toBeUndefined();
    // The index followed the staged put and delete of y within the one transaction.
    const g = await t.query({ index: 'gsi1', pk: 'G', limit: 100 });
    expect(g.items.map((i) => i.sk)).toHaveLength(50);
    expect(g.items.some((i) => i.pk === 'P')).toBe(false);
  });

  it('stores an item as it was when put, whatever the caller does to the object before the commit', async () => {
    const t = env.table(indexTable.id, indexTable);
    const item = { pk: 'S', sk: '1', nested: { v: 1 } };
    const write = t.put(item);
    item.nested.v = 2;
    await write;
    expect(await t.get({ pk: 'S', sk: '1' })).toEqual({ pk: 'S', sk: '1', nested: { v: 1 } });
  });

  it('a read issued with writes in flight waits for their commit', async () => {
    const t = env.table(indexTable.id, indexTable);
    const write = t.put({ pk: 'R', sk: '1', v: 1 });
    const read = t.get({ pk: 'R', sk: '1' });
    await write;
    expect(await read).toEqual({ pk: 'R', sk: '1', v: 1 });
  });

  it('a failed commit rejects every write it carried and leaves none of them', async () => {
    const t = env.table(indexTable.id, indexTable);
    await t.put({ pk: 'F', sk: 'kept', v: 1 });
    // A value LMDB refuses at commit (a key longer than its 1978-byte limit) fails the transaction it is in.
    const writes = [t.put({ pk: 'F', sk: 'a', v: 1 }), t.update({ pk: 'F', sk: 'kept' }, { set: { v: 2 } }), t.put({ pk: 'F', sk: 'k'.repeat(4000) })];
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    expect(await t.get({ pk: 'F', sk: 'a' })).toBeUndefined();
    expect(await t.get({ pk: 'F', sk: 'kept' })).toEqual({ pk: 'F', sk: 'kept', v: 1 });
    // The next writes commit as usual.
    await t.put({ pk: 'F', sk: 'a', v: 3 });
    expect(await t.get({ pk: 'F', sk: 'a' })).toEqual({ pk: 'F', sk: 'a', v: 3 });
  });
});
