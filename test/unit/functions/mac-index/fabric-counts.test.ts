import type { MSKEvent } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import type { MskBatchResponse } from '../../../../functions/shared/msk.js';
import type { TableStore } from '../../../../functions/shared/store/table-store.js';
import { indexTable } from '../../../../schemas/tables/index.js';
import { macRoute, mskBatch, type Timed } from '../../../support/route-events.js';
import { ADAPTERS, type OpenedStore, openStore, scanAll } from '../../../support/store-adapters.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const silent = pino({ level: 'silent' });

/**
 * The store with its writes refused after the first `n`. With `lostReply`, write n + 1 is applied and then reported
 * failed (a timeout after the write landed: what an SDK retry would apply twice).
 */
function failingAfter(t: TableStore, n: number, lostReply = false): TableStore & { writes: () => number } {
  let writes = 0;
  const guard = async (write: () => Promise<void>) => {
    writes++;
    if (writes <= n) return write();
    if (lostReply && writes === n + 1) await write();
    throw new Error(`injected: write ${writes} refused`);
  };
  return {
    name: t.name,
    writes: () => writes,
    batchGet: (k) => t.batchGet(k),
    get: (k) => t.get(k),
    put: (i, c) => guard(() => t.put(i, c)),
    update: (k, u, c) => guard(() => t.update(k, u, c)),
    delete: (k, c) => guard(() => t.delete(k, c)),
    batchWrite: (w) => guard(() => t.batchWrite(w)),
    query: (q) => t.query(q),
    count: (q) => t.count(q),
    scan: (c, l) => t.scan(c, l),
    sweepExpired: (s) => t.sweepExpired(s),
  };
}

/** What the event source mapping redelivers after `res`: each named partition from the named offset (all, if it threw). */
function redelivery(event: MSKEvent, res: MskBatchResponse | undefined | 'threw'): MSKEvent | undefined {
  if (res === 'threw') return event;
  if (!res?.batchItemFailures.length) return undefined;
  const records: MSKEvent['records'] = {};
  for (const { itemIdentifier: id } of res.batchItemFailures) {
    const list = event.records[id.partition] ?? [];
    records[id.partition] = list.filter((r) => Number(r.offset) >= id.offset);
  }
  return { ...event, records };
}

/** MACs per fabric and segment, from the counter items and as derived from the MAC items. */
async function counts(table: TableStore) {
  const items = await scanAll(table);
  const counters: Record<string, number> = {};
  const derived: Record<string, number> = {};
  for (const it of items) {
    const pk = String(it.pk);
    const sk = String(it.sk);
    if (pk.startsWith('FABRIC#') && sk.startsWith('COUNT')) {
      const k = `${pk.slice(7)}|${sk.slice(0, sk.lastIndexOf('#'))}`;
      counters[k] = (counters[k] ?? 0) + Number(it.macs ?? 0);
    } else if (pk.startsWith('MAC#')) {
      const loc = it.location as { fabric: string } | undefined;
      if (!loc) continue;
      const k = `${loc.fabric}|${it.evi ? `COUNTEVI#${it.evi}` : `COUNT#${it.vni}`}`;
      derived[k] = (derived[k] ?? 0) + 1;
    }
  }
  for (const [k, n] of Object.entries(counters)) if (n === 0) delete counters[k];
  return { counters, derived };
}

const mac = (i: number) => `02:00:00:c0:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
/** 36 MACs in dc1 over three partitions and two VNIs. */
const first = (): Timed[] =>
  Array.from({ length: 36 }, (_, i) => ({
    ev: macRoute({ mac: mac(i), vni: 10100 + (i % 2), vtep: `10.1.0.${1 + (i % 3)}`, fabric: 'dc1' }),
    atMs: T0,
    partition: i % 3,
    offset: Math.floor(i / 3),
  }));
/** Then, per partition: 4 MACs move to dc2 (advertise-first), 3 disappear, 5 new ones appear in dc2. */
function second(): Timed[] {
  const out: Timed[] = [];
  const next = [12, 12, 12];
  const push = (ev: Timed['ev'], p: number, atMs: number) => out.push({ ev, atMs, partition: p, offset: next[p]!++ });
  for (let i = 0; i < 36; i++) {
    const p = i % 3;
    const vni = 10100 + (i % 2);
    if (i < 12) {
      push(macRoute({ mac: mac(i), vni, vtep: '10.2.0.1', fabric: 'dc2', seq: 1 }), p, T0 + 10_000);
      push(macRoute({ mac: mac(i), vni, vtep: `10.1.0.${1 + (i % 3)}`, fabric: 'dc1', withdraw: true }), p, T0 + 10_500);
    } else if (i < 21) push(macRoute({ mac: mac(i), vni, vtep: `10.1.0.${1 + (i % 3)}`, fabric: 'dc1', withdraw: true }), p, T0 + 10_000);
  }
  for (let i = 100; i < 115; i++) push(macRoute({ mac: mac(i), vni: 10100, vtep: '10.2.0.2', fabric: 'dc2' }), i % 3, T0 + 11_000);
  return out;
}

describe.each(ADAPTERS)('mac-index fabric counters (%s store)', (adapter) => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  /** The writes the second batch takes when nothing fails (a cold handler, as after a failure). */
  async function writesOfSecond(): Promise<number> {
    const table = await store.freshTable(indexTable);
    await createMacIndexHandler({ table, logger: silent })(mskBatch(first()));
    const counting = failingAfter(table, Number.POSITIVE_INFINITY);
    await createMacIndexHandler({ table: counting, logger: silent })(mskBatch(second()));
    return counting.writes();
  }

  // Where the writes stop, as a share of the batch's writes: 0 nothing lands; 1 the MAC writes land and the last
  // write (a counter update) fails. A lost reply: that write landed, and was reported failed.
  it.each([
    [0, false],
    [0.1, false],
    [0.5, true],
    [0.7, false],
    [0.9, true],
    [1, false],
    [1, true],
  ])('are exact after a batch fails at %f of its writes (lost reply: %s) and is redelivered', async (share, lostReply) => {
    // Arrange: an index with 36 MACs in dc1; the next batch moves, removes and adds MACs.
    const total = await writesOfSecond();
    const n = Math.min(total - 1, Math.floor(share * total));
    const table = await store.freshTable(indexTable);
    const healthy = createMacIndexHandler({ table, logger: silent });
    expect(await healthy(mskBatch(first()))).toBeUndefined();
    const batch = mskBatch(second());

    // Act: the batch fails part way, then is redelivered from its checkpoints until it succeeds.
    const failing = createMacIndexHandler({ table: failingAfter(table, n, lostReply), logger: silent });
    const res = await failing(batch).then(
      (r) => r ?? undefined,
      () => 'threw' as const,
    );
    expect(res).toBeDefined(); // something did fail
    let again = redelivery(batch, res);
    for (let i = 0; again && i < 5; i++) again = redelivery(again, (await healthy(again)) ?? undefined);
    expect(again).toBeUndefined();

    // Assert: the counters equal the counts derived from the MAC items (dc1: 36 - 12 - 9 = 15; dc2: 12 + 15 = 27).
    const after = await counts(table);
    expect(after.counters).toEqual(after.derived);
    expect(Object.values(after.derived).reduce((a, b) => a + b, 0)).toBe(42);
    expect(after.derived['dc2|COUNT#10100']! + after.derived['dc2|COUNT#10101']!).toBe(27);

    // …and a redelivery of the whole, already applied batch changes nothing.
    expect(await healthy(batch)).toBeUndefined();
    expect(await counts(table)).toEqual(after);
  });
});
