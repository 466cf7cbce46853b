/**
 * The embedded store's group commit (infra/local/lmdb-table-store.ts): the writes in flight at once share one LMDB
 * transaction, each checking its condition against the writes issued before it; a read waits for their commit; a
 * write whose key LMDB cannot hold is refused alone, before it could fail the commit of the writes beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, KeyTooLongError } from '../../../../functions/shared/store/store-errors.js';
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

  it('refuses a write whose key LMDB cannot hold alone, before staging it; the writes beside it commit', async () => {
    const t = env.table(indexTable.id, indexTable);
    await t.put({ pk: 'F', sk: 'kept', v: 1 });
    // LMDB's keys end at 1978 bytes: a longer one (the item's, or an index key built from it) is refused at once. Were
    // it staged, it would fail the whole transaction, and every write beside it with it.
    const writes = [
      t.put({ pk: 'F', sk: 'a', v: 1 }),
      t.put({ pk: 'F', sk: 'k'.repeat(4000) }),
      t.update({ pk: 'F', sk: 'kept' }, { set: { v: 2 } }),
      t.put({ pk: 'F', sk: 'g', gsi1pk: 'G', gsi1sk: 'x'.repeat(2000) }),
      t.batchWrite({
        put: [
          { pk: 'F', sk: 'b1' },
          { pk: 'F', sk: 'b'.repeat(3000) },
        ],
      }),
    ];
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'rejected']);
    for (const i of [1, 3, 4]) expect((outcomes[i] as PromiseRejectedResult).reason).toBeInstanceOf(KeyTooLongError);
    expect((outcomes[3] as PromiseRejectedResult).reason.message).toContain('gsi1 key');
    expect(await t.get({ pk: 'F', sk: 'a' })).toEqual({ pk: 'F', sk: 'a', v: 1 });
    expect(await t.get({ pk: 'F', sk: 'kept' })).toEqual({ pk: 'F', sk: 'kept', v: 2 });
    // A batch with one bad key is refused whole, as DynamoDB refuses the request.
    expect(await t.get({ pk: 'F', sk: 'b1' })).toBeUndefined();
    expect(await t.query({ index: 'gsi1', pk: 'G', limit: 10 })).toMatchObject({ items: [] });
  });

  it('a conditional write of the next turn builds on the last commit and moves its index entry; a stale one fails', async () => {
    const t = env.table(indexTable.id, indexTable);
    const before = env.commits.transactions;
    const first = t.put({ pk: 'W', sk: '1', gsi1pk: 'G', gsi1sk: 'a', version: 1 });
    // The next turn: the first write's commit has run; a conditional write builds on it, and moves the index entry.
    await new Promise((r) => setImmediate(r));
    const second = t.put({ pk: 'W', sk: '1', gsi1pk: 'G', gsi1sk: 'b', version: 2 }, [{ attr: 'version', op: 'eq', value: 1 }]);
    const stale = t.put({ pk: 'W', sk: '1', version: 9 }, [{ attr: 'version', op: 'eq', value: 1 }]).catch((err: unknown) => err);
    const read = t.get({ pk: 'W', sk: '1' });
    await Promise.all([first, second]);
    expect(await stale).toBeInstanceOf(ConditionFailedError);
    expect(await read).toMatchObject({ version: 2 });
    expect(env.commits.transactions - before).toBe(2);
    const g = await t.query({ index: 'gsi1', pk: 'G', limit: 10 });
    expect(g.items.map((i) => i.gsi1sk)).toEqual(['b']);
  });
});
