import type { MSKEvent } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import type { Context, MskBatchResponse } from '../../../../functions/shared/msk.js';
import type { TableStore } from '../../../../functions/shared/store/table-store.js';
import { indexTable } from '../../../../schemas/tables/index.js';
import { macRoute, mskBatch, packedMskBatch, type Timed } from '../../../support/route-events.js';
import { ADAPTERS, type OpenedStore, openStore, scanAll } from '../../../support/store-adapters.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The store with `latencyMs` added to every write (a network round trip), counting the writes of each MAC item. */
function slowStore(t: TableStore, latencyMs: number) {
  const macWrites = new Map<string, number>();
  const slow = async <T>(f: () => Promise<T>) => {
    await sleep(latencyMs);
    return f();
  };
  const table: TableStore = {
    name: t.name,
    batchGet: (k) => t.batchGet(k),
    get: (k) => t.get(k),
    put: (i, c) =>
      slow(async () => {
        await t.put(i, c);
        if (i.pk.startsWith('MAC#')) macWrites.set(`${i.pk}|${i.sk}`, (macWrites.get(`${i.pk}|${i.sk}`) ?? 0) + 1);
      }),
    update: (k, u, c) => slow(() => t.update(k, u, c)),
    delete: (k, c) => slow(() => t.delete(k, c)),
    batchWrite: (w) => slow(() => t.batchWrite(w)),
    query: (q) => t.query(q),
    count: (q) => t.count(q),
    scan: (c, l) => t.scan(c, l),
    sweepExpired: (s) => t.sweepExpired(s),
  };
  return { table, macWrites };
}

/** A Lambda context whose deadline is `ms` from now. */
function contextFor(ms: number): Context {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
}

/** What the event source mapping redelivers after `res`: each named partition from the named offset. */
function redelivery(event: MSKEvent, res: MskBatchResponse | undefined | void): MSKEvent | undefined {
  if (!res?.batchItemFailures.length) return undefined;
  const records: MSKEvent['records'] = {};
  for (const { itemIdentifier: id } of res.batchItemFailures)
    records[id.partition] = (event.records[id.partition] ?? []).filter((r) => Number(r.offset) >= id.offset);
  return { ...event, records };
}

async function countsOf(table: TableStore) {
  const counters: Record<string, number> = {};
  const derived: Record<string, number> = {};
  let located = 0;
  for (const it of await scanAll(table)) {
    if (it.pk.startsWith('FABRIC#') && it.sk.startsWith('COUNT#')) counters[it.pk] = (counters[it.pk] ?? 0) + Number(it.macs ?? 0);
    const loc = it.location as { fabric: string } | undefined;
    if (it.pk.startsWith('MAC#') && loc) {
      located++;
      derived[`FABRIC#${loc.fabric}`] = (derived[`FABRIC#${loc.fabric}`] ?? 0) + 1;
    }
  }
  return { counters, derived, located };
}

const mac = (i: number) => `02:00:00:d0:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const hosts = (n: number, partitions: number): Timed[] =>
  Array.from({ length: n }, (_, i) => ({
    ev: macRoute({ mac: mac(i), vtep: `10.1.0.${1 + (i % 4)}`, fabric: i % 2 ? 'dc1' : 'dc2' }),
    atMs: T0 + i,
    partition: i % partitions,
  }));

describe.each(ADAPTERS)('mac-index invocations that finish before their deadline (%s store)', (adapter) => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  it('returns before the deadline with the rest handed back, and redelivery completes with nothing lost or applied twice', async () => {
    // Arrange: 480 new MACs over 3 partitions, 10 ms per write, 2 at once: ~2.4 s of writes against a 2.5 s deadline
    // with 1.5 s kept in reserve. The reserve is wide because a loaded CI machine can stretch one group's write to
    // several hundred ms; the handler must still stop in time.
    const base = await store.freshTable(indexTable);
    const { table, macWrites } = slowStore(base, 10);
    const h = createMacIndexHandler({ table, logger: silent, options: { deadlineReserveMs: 1_500, concurrency: 2 } });
    const batch = mskBatch(hosts(480, 3));

    // Act: the first invocation, then redeliveries from the checkpoints, each with its own deadline.
    const started = Date.now();
    const first = await h(batch, contextFor(2_500));
    const elapsed = Date.now() - started;
    let again = redelivery(batch, first);
    let invocations = 1;
    while (again && invocations < 60) {
      const res = await h(again, contextFor(2_500));
      invocations++;
      again = redelivery(again, res);
    }

    // Assert: the first one stopped in time and said the rest was handed back, not failed…
    expect(elapsed).toBeLessThan(2_500);
    expect(first?.batchItemFailures.length).toBeGreaterThan(0);
    expect(first?.handedBack?.sort()).toEqual(first?.batchItemFailures.map((f) => f.itemIdentifier.partition).sort());
    expect(invocations).toBeGreaterThan(1);
    expect(again).toBeUndefined();
    // …and the redeliveries completed it: every MAC indexed, each item written once, the counters exact.
    const after = await countsOf(base);
    expect(after.located).toBe(480);
    expect(macWrites.size).toBe(480);
    expect([...macWrites.values()].every((n) => n === 1)).toBe(true);
    expect(after.counters).toEqual(after.derived);
    expect(after.derived).toEqual({ 'FABRIC#dc1': 240, 'FABRIC#dc2': 240 });
  });

  it('takes at most maxEventsPerInvocation route events (packed records) and hands the rest back', async () => {
    // Arrange: 2 partitions, records of 40 events each, a budget of 100 events.
    const table = await store.freshTable(indexTable);
    const h = createMacIndexHandler({ table, logger: silent, options: { maxEventsPerInvocation: 100 } });
    const batch = packedMskBatch(hosts(400, 2), 40);

    // Act
    const first = await h(batch);
    const indexedFirst = (await countsOf(table)).located;
    let again = redelivery(batch, first);
    let invocations = 1;
    while (again && invocations < 20) {
      again = redelivery(again, await h(again));
      invocations++;
    }

    // Assert: 80 events (two records) in the first invocation, the rest handed back; all 400 in the end, counted once.
    expect(indexedFirst).toBe(80);
    expect(first?.handedBack?.length).toBe(2);
    expect(again).toBeUndefined();
    expect(invocations).toBe(5);
    const after = await countsOf(table);
    expect(after.located).toBe(400);
    expect(after.counters).toEqual(after.derived);
  });
});
