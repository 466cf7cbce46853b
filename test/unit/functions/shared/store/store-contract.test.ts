/**
 * The store port's conformance suite (Jaeger's storage `integration` tests in shape): every adapter must pass it, so
 * that the DynamoDB adapter and the embedded one cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAll } from '../../../../../functions/shared/store/query-all.js';
import { ConditionFailedError } from '../../../../../functions/shared/store/store-errors.js';
import type { Item, TableStore } from '../../../../../functions/shared/store/table-store.js';
import { keys } from '../../../../../schemas/tables/index.js';
import { ADAPTERS, type OpenedStore, openStore } from '../../../../support/store-adapters.js';

const NOW = 1_800_000_000;

describe.each(ADAPTERS)('store port contract (%s)', (adapter) => {
  let s: OpenedStore;
  let t: TableStore;
  let n = 0;
  /** A partition key of this test's own. */
  const pk = (name: string) => `T${++n}#${name}`;

  beforeAll(async () => {
    s = await openStore(adapter, { clock: () => NOW });
    t = s.index;
  });
  afterAll(async () => s?.stop());

  it('puts, gets and batch-gets items, and batch-get reads each key once and leaves out missing ones', async () => {
    const p = pk('a');
    await t.put({ pk: p, sk: '1', v: 1, nested: { a: [1, 2], b: 'x' } });
    await t.put({ pk: p, sk: '2', v: 2 });
    expect(await t.get({ pk: p, sk: '1' })).toEqual({ pk: p, sk: '1', v: 1, nested: { a: [1, 2], b: 'x' } });
    expect(await t.get({ pk: p, sk: '9' })).toBeUndefined();
    const got = await t.batchGet([
      { pk: p, sk: '2' },
      { pk: p, sk: '1' },
      { pk: p, sk: '1' },
      { pk: p, sk: '3' },
    ]);
    expect(got.map((i) => i.sk).sort()).toEqual(['1', '2']);
  });

  it('batch-gets more keys than one DynamoDB request carries (250)', async () => {
    const p = pk('many');
    await t.batchWrite({ put: Array.from({ length: 250 }, (_, i) => ({ pk: p, sk: String(i).padStart(3, '0'), i })) });
    const got = await t.batchGet(Array.from({ length: 260 }, (_, i) => ({ pk: p, sk: String(i).padStart(3, '0') })));
    expect(got).toHaveLength(250);
  });

  it('drops undefined attributes as DynamoDB does', async () => {
    const p = pk('undef');
    await t.put({ pk: p, sk: 's', a: undefined, b: { c: undefined, d: 1 }, l: [1, undefined, { e: undefined, f: 2 }] });
    expect(await t.get({ pk: p, sk: 's' })).toStrictEqual({ pk: p, sk: 's', b: { d: 1 }, l: [1, { f: 2 }] });
  });

  it('a versioned put succeeds on the version it read and fails with ConditionFailedError on any other', async () => {
    const p = pk('ver');
    const key = { pk: p, sk: 'x' };
    await t.put({ ...key, version: 1 }, [{ attr: 'pk', op: 'notExists' }]);
    await expect(t.put({ ...key, version: 1 }, [{ attr: 'pk', op: 'notExists' }])).rejects.toBeInstanceOf(ConditionFailedError);
    await t.put({ ...key, version: 2 }, [{ attr: 'version', op: 'eq', value: 1 }]);
    await expect(t.put({ ...key, version: 3, lost: true }, [{ attr: 'version', op: 'eq', value: 1 }])).rejects.toBeInstanceOf(ConditionFailedError);
    expect(await t.get(key)).toEqual({ ...key, version: 2 });
  });

  it('a condition of several clauses holds when any holds (not exists OR older)', async () => {
    const p = pk('or');
    const key = { pk: p, sk: 'es' };
    const newer = (ord: number) =>
      t.put({ ...key, ord }, [
        { attr: 'pk', op: 'notExists' },
        { attr: 'ord', op: 'lt', value: ord },
      ]);
    await newer(5);
    await newer(7);
    await expect(newer(6)).rejects.toBeInstanceOf(ConditionFailedError);
    expect(await t.get(key)).toEqual({ ...key, ord: 7 });
  });

  it('conditional delete and exists conditions', async () => {
    const p = pk('del');
    await expect(t.delete({ pk: p, sk: 'gone' }, [{ attr: 'pk', op: 'exists' }])).rejects.toBeInstanceOf(ConditionFailedError);
    await t.put({ pk: p, sk: 'here', v: 1 });
    await expect(t.delete({ pk: p, sk: 'here' }, [{ attr: 'v', op: 'eq', value: 2 }])).rejects.toBeInstanceOf(ConditionFailedError);
    await t.delete({ pk: p, sk: 'here' }, [{ attr: 'v', op: 'eq', value: 1 }]);
    expect(await t.get({ pk: p, sk: 'here' })).toBeUndefined();
    await t.delete({ pk: p, sk: 'never' }); // unconditional delete of nothing is fine
  });

  it('update creates the item, sets attributes and adds to counters; a failed condition changes nothing', async () => {
    const p = pk('upd');
    const key = { pk: p, sk: 'c' };
    await t.update(key, { add: { n: 2 }, set: { fabric: 'dc1' } });
    await t.update(key, { add: { n: 3, m: -1 }, set: { o: 10 } }, [{ attr: 'o', op: 'notExists' }]);
    await expect(t.update(key, { add: { n: 100 }, set: { o: 11 } }, [{ attr: 'o', op: 'lt', value: 10 }])).rejects.toBeInstanceOf(ConditionFailedError);
    await t.update(key, { add: { n: 1 }, set: { o: 12 } }, [{ attr: 'o', op: 'eq', value: 10 }]);
    expect(await t.get(key)).toEqual({ ...key, fabric: 'dc1', n: 6, m: -1, o: 12 });
  });

  it('batch writes puts and deletes (more than 25, a key twice: the last write wins)', async () => {
    const p = pk('bw');
    await t.batchWrite({ put: Array.from({ length: 40 }, (_, i) => ({ pk: p, sk: String(i).padStart(2, '0'), v: 0 })) });
    await t.batchWrite({
      put: [
        { pk: p, sk: '00', v: 1 },
        { pk: p, sk: '00', v: 2 },
      ],
      delete: Array.from({ length: 30 }, (_, i) => ({ pk: p, sk: String(i + 10).padStart(2, '0') })),
    });
    const all = await queryAll(t, { pk: p });
    expect(all.map((i) => i.sk)).toEqual(Array.from({ length: 10 }, (_, i) => String(i).padStart(2, '0')));
    expect(all[0]).toEqual({ pk: p, sk: '00', v: 2 });
  });

  it('queries a partition in sort-key order, by prefix and by range, both directions, page by page', async () => {
    const p = pk('q');
    const sks = ['A#1', 'A#2', 'A#3', 'AB', 'B#1', 'B#2', 'C'];
    await t.batchWrite({ put: sks.map((sk) => ({ pk: p, sk })) });
    await t.put({ pk: `${p}x`, sk: 'A#0' }); // a partition whose key extends this one's is not part of it
    const sksOf = (items: Item[]) => items.map((i) => i.sk);
    expect(sksOf(await queryAll(t, { pk: p }))).toEqual(sks);
    expect(sksOf(await queryAll(t, { pk: p, prefix: 'A#' }))).toEqual(['A#1', 'A#2', 'A#3']);
    expect(sksOf(await queryAll(t, { pk: p, from: 'A#2', to: 'B#1' }))).toEqual(['A#2', 'A#3', 'AB', 'B#1']);
    expect(sksOf(await queryAll(t, { pk: p, from: 'B' }))).toEqual(['B#1', 'B#2', 'C']);
    expect(sksOf(await queryAll(t, { pk: p, to: 'AB' }))).toEqual(['A#1', 'A#2', 'A#3', 'AB']);
    expect(sksOf(await queryAll(t, { pk: p, desc: true }))).toEqual([...sks].reverse());
    expect(sksOf(await queryAll(t, { pk: p, prefix: 'A#', desc: true }))).toEqual(['A#3', 'A#2', 'A#1']);
    expect(sksOf(await queryAll(t, { pk: p, from: 'A#2', to: 'B#1', desc: true }))).toEqual(['B#1', 'AB', 'A#3', 'A#2']);

    // Paging: pages of 2 with a cursor, forwards and backwards, cover every item once.
    for (const desc of [false, true]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await t.query({ pk: p, limit: 2, desc, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...sksOf(page.items));
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(desc ? [...sks].reverse() : sks);
    }
    // A limit applies to the whole result of queryAll.
    expect(sksOf(await queryAll(t, { pk: p, desc: true, limit: 3 }))).toEqual(['C', 'B#2', 'B#1']);
  });

  it('counts what a query would return, over every page, without reading it', async () => {
    const p = pk('count');
    const sks = ['A#1', 'A#2', 'A#3', 'AB', 'B#1', 'B#2', 'C'];
    await t.batchWrite({ put: sks.map((sk) => ({ pk: p, sk, gsi1pk: `${p}-g`, gsi1sk: sk })) });
    await t.put({ pk: `${p}x`, sk: 'A#0' }); // a partition whose key extends this one's is not part of it
    expect(await t.count({ pk: p })).toBe(7);
    expect(await t.count({ pk: p, prefix: 'A#' })).toBe(3);
    expect(await t.count({ pk: p, from: 'A#2', to: 'B#1' })).toBe(4);
    expect(await t.count({ pk: p, from: 'B' })).toBe(3);
    expect(await t.count({ pk: p, to: 'AB' })).toBe(4);
    expect(await t.count({ pk: `${p}-none` })).toBe(0);
    expect(await t.count({ index: 'gsi1', pk: `${p}-g`, prefix: 'B#' })).toBe(2);
    // More than one page (DynamoDB pages a COUNT at 1 MB of items read; the count sums them): 1,200 items of 1 kB.
    const big = pk('count-big');
    await t.batchWrite({ put: Array.from({ length: 1_200 }, (_, i) => ({ pk: big, sk: `S#${String(i).padStart(5, '0')}`, pad: 'x'.repeat(1_000) })) });
    expect(await t.count({ pk: big })).toBe(1_200);
    await t.delete({ pk: p, sk: 'A#2' });
    expect(await t.count({ pk: p, prefix: 'A#' })).toBe(2);
  });

  it('queries a secondary index, which follows every write of its keys (sparse: items without them are not in it)', async () => {
    const seg = { vni: 10000 + n };
    const macs = ['00:00:00:00:00:01', '00:00:00:00:00:02', '00:00:00:00:00:03'];
    const gsiPk = (mac: string) => keys.segmentGsi(seg, mac).gsi1pk;
    for (const mac of macs) await t.put({ ...keys.mac(mac, seg), mac, ...keys.segmentGsi(seg, mac), ...keys.vtepGsi('10.0.0.1', mac, seg) });
    // Moved: its gsi2 key changes; removed from the segment index: the gsi1 attributes are gone.
    await t.put({ ...keys.mac(macs[0]!, seg), mac: macs[0], ...keys.segmentGsi(seg, macs[0]!), ...keys.vtepGsi('10.0.0.2', macs[0]!, seg) });
    await t.put({ ...keys.mac(macs[1]!, seg), mac: macs[1] });
    await t.delete(keys.mac(macs[2]!, seg));
    const inSeg = await queryAll(t, { index: 'gsi1', pk: gsiPk(macs[0]!) });
    expect(inSeg.map((i) => i.pk)).toEqual([keys.mac(macs[0]!, seg).pk]);
    // The indexes project keys only (schemas/tables/index-table.ts): the table's and the index's, nothing else.
    expect(Object.keys(inSeg[0]!).sort()).toEqual(['gsi1pk', 'gsi1sk', 'pk', 'sk']);
    expect(await queryAll(t, { index: 'gsi1', pk: gsiPk(macs[1]!) })).toEqual([]);
    const onOld = await queryAll(t, { index: 'gsi2', pk: keys.vtepGsi('10.0.0.1', macs[0]!, seg).gsi2pk });
    expect(onOld.filter((i) => i.pk === keys.mac(macs[0]!, seg).pk)).toEqual([]);
    const onNew = await queryAll(t, { index: 'gsi2', pk: keys.vtepGsi('10.0.0.2', macs[0]!, seg).gsi2pk, prefix: macs[0] });
    expect(onNew.map((i) => i.pk)).toEqual([keys.mac(macs[0]!, seg).pk]);
    expect(Object.keys(onNew[0]!).sort()).toEqual(['gsi2pk', 'gsi2sk', 'pk', 'sk']);
  });

  it('pages through a secondary index with a cursor', async () => {
    const p = `GSIPAGE#${n++}`;
    await t.batchWrite({ put: Array.from({ length: 7 }, (_, i) => ({ pk: `M#${p}#${i}`, sk: 'S', gsi1pk: p, gsi1sk: `k${i}` })) });
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.query({ index: 'gsi1', pk: p, limit: 3, cursor });
      seen.push(...page.items.map((i) => i.gsi1sk));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
  });

  it('never returns an expired item, and the sweep deletes only expired ones', async () => {
    const p = pk('ttl');
    await t.batchWrite({
      put: [
        { pk: p, sk: 'old', expiresAt: NOW - 1 },
        { pk: p, sk: 'now', expiresAt: NOW },
        { pk: p, sk: 'later', expiresAt: NOW + 60 },
        { pk: p, sk: 'never' },
      ],
    });
    expect((await queryAll(t, { pk: p })).map((i) => i.sk).sort()).toEqual(['later', 'never']);
    expect(await t.get({ pk: p, sk: 'old' })).toBeUndefined();
    expect(await t.batchGet([{ pk: p, sk: 'now' }])).toEqual([]);
    expect(await t.sweepExpired(NOW)).toBeGreaterThanOrEqual(2);
    const left: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.scan(cursor, 50);
      left.push(...page.items.filter((i) => i.pk === p).map((i) => i.sk));
      cursor = page.cursor;
    } while (cursor);
    expect(left.sort()).toEqual(['later', 'never']);
    expect(await t.sweepExpired(NOW)).toBe(0);
  });

  it('conditional writes in flight at once on one item: exactly one of those expecting the same state wins', async () => {
    const key = { pk: pk('race'), sk: 'x' };
    // Issued together, not awaited in turn (the embedded adapter commits them in one transaction; DynamoDB in any order).
    const outcomes = await Promise.allSettled(['a', 'b', 'c', 'd'].map((by) => t.put({ ...key, version: 1, by }, [{ attr: 'pk', op: 'notExists' }])));
    const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [['a', 'b', 'c', 'd'][i]] : []));
    expect(won).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConditionFailedError);
    expect(await t.get(key)).toEqual({ ...key, version: 1, by: won[0] });
  });

  it('keeps tables apart', async () => {
    const key = { pk: pk('apart'), sk: 'x' };
    await s.index.put({ ...key, where: 'index' });
    await s.health.put({ ...key, where: 'health' });
    expect((await s.index.get(key))?.where).toBe('index');
    expect((await s.health.get(key))?.where).toBe('health');
  });
});
