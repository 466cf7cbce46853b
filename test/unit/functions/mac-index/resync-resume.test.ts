/**
 * A RESYNC_COMPLETE sweep larger than one invocation's budget (issue #21): it works in bounded steps, each invocation
 * hands the session record back with a cursor kept in the store, and the redeliveries resume after the cursor until
 * the sweep is done: every stale path withdrawn once, the re-sent ones untouched, nothing read again from before the
 * cursor, the fabric counters exact, and the cursor and older epochs gone at the end.
 */
import type { MSKEvent } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import type { MskBatchResponse } from '../../../../functions/shared/msk.js';
import type { Item, TableStore } from '../../../../functions/shared/store/table-store.js';
import { type IRouteEvent, SessionEvent, SessionEventKind } from '../../../../schemas/events.js';
import { u64 } from '../../../../schemas/long.js';
import { indexTable } from '../../../../schemas/tables/index.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { macRoute, mskBatch } from '../../../support/route-events.js';
import { ADAPTERS, type OpenedStore, openStore, scanAll } from '../../../support/store-adapters.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const RR = '10.255.9.1';
const silent = pino({ level: 'silent' });

const ev = (mac: string, vni: number, epoch: number, seq: bigint): IRouteEvent => ({
  ...macRoute({ mac, vtep: `10.1.0.${1 + (vni % 3)}`, fabric: 'dc1', router: RR, vni, rd: `${RR}:1` }),
  collectorSeq: u64(seq),
  sessionEpoch: u64(BigInt(epoch)),
});

function resyncComplete(epoch: number, atMs: number): MSKEvent {
  const value = SessionEvent.encode({
    kind: SessionEventKind.SESSION_EVENT_KIND_RESYNC_COMPLETE,
    fabric: 'dc1',
    router: { address: RR, bgpId: RR },
    sessionEpoch: u64(BigInt(epoch)),
  }).finish();
  const rec = {
    topic: TOPICS.sessions,
    partition: 0,
    offset: 7,
    timestamp: atMs,
    timestampType: 'CREATE_TIME',
    key: null,
    value: Buffer.from(value).toString('base64'),
    headers: [],
  };
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:test',
    bootstrapServers: 'test',
    records: { [`${TOPICS.sessions}-0`]: [rec] },
  } as unknown as MSKEvent;
}

function redelivery(event: MSKEvent, res: MskBatchResponse | undefined | void): MSKEvent | undefined {
  if (!res?.batchItemFailures.length) return undefined;
  const records: MSKEvent['records'] = {};
  for (const { itemIdentifier: id } of res.batchItemFailures)
    records[id.partition] = (event.records[id.partition] ?? []).filter((r) => Number(r.offset) >= id.offset);
  return { ...event, records };
}

/** The table, counting MAC-item writes and the MAC items read by key (what a sweep reads behind its index pages). */
function counting(t: TableStore) {
  const macWrites = new Map<string, number>();
  let macReads = 0;
  const table: TableStore = {
    name: t.name,
    batchGet: async <T extends Item>(k: Parameters<TableStore['batchGet']>[0]) => {
      macReads += k.filter((x) => x.pk.startsWith('MAC#')).length;
      return t.batchGet<T>(k);
    },
    get: (k) => t.get(k),
    put: async (i, c) => {
      await t.put(i, c);
      if (i.pk.startsWith('MAC#')) macWrites.set(`${i.pk}|${i.sk}`, (macWrites.get(`${i.pk}|${i.sk}`) ?? 0) + 1);
    },
    update: (k, u, c) => t.update(k, u, c),
    delete: (k, c) => t.delete(k, c),
    batchWrite: (w) => t.batchWrite(w),
    query: (q) => t.query(q),
    count: (q) => t.count(q),
    scan: (c, l) => t.scan(c, l),
    sweepExpired: (s) => t.sweepExpired(s),
  };
  return {
    table,
    macWrites,
    get macReads() {
      return macReads;
    },
  };
}

describe.each(ADAPTERS)('a resync sweep larger than one invocation (%s store)', (adapter) => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  it('completes over several invocations, resuming where it stopped: nothing swept twice, nothing left, counters exact', async () => {
    // Arrange: 60 MACs of the route reflector in epoch 3, over two VNIs; epoch 9 re-sends every third one.
    const base = await store.freshTable(indexTable);
    const c = counting(base);
    const budget = 15; // events and swept MACs per invocation: the session record, then 14 MACs
    const setup = createMacIndexHandler({ table: c.table, logger: silent });
    const h = createMacIndexHandler({ table: c.table, logger: silent, options: { maxEventsPerInvocation: budget } });
    const mac = (i: number) => `02:e9:00:00:00:${i.toString(16).padStart(2, '0')}`;
    const vniOf = (i: number) => (i % 2 ? 10100 : 10200);
    await setup(mskBatch(Array.from({ length: 60 }, (_, i) => ({ ev: ev(mac(i), vniOf(i), 3, BigInt(100 + i)), atMs: T0 }))));
    const kept = new Set(Array.from({ length: 20 }, (_, k) => 3 * k));
    await setup(mskBatch([...kept].map((i) => ({ ev: ev(mac(i), vniOf(i), 9, BigInt(i + 1)), atMs: T0 + 60_000 }))));
    c.macWrites.clear();
    const readsBefore = c.macReads;

    // Act: the resync, then its redeliveries from the checkpoints.
    const batch = resyncComplete(9, T0 + 61_000);
    const first = await h(batch);
    let again = redelivery(batch, first);
    let invocations = 1;
    while (again && invocations < 12) {
      again = redelivery(again, await h(again));
      invocations++;
    }

    // Assert: handed back (not failed) at first, finished in ⌈60 / 14⌉ = 5 invocations, nothing left over…
    expect(first?.handedBack).toEqual([`${TOPICS.sessions}-0`]);
    expect(again).toBeUndefined();
    expect(invocations).toBe(5);
    // …each stale MAC withdrawn by exactly one write, the re-sent ones not written, and the MACs before a cursor not
    // read again (a stop wastes at most the rest of the index page it had read: < 16 keys per stop here; a sweep
    // starting over would read 14 + 28 + 42 + … of them again)…
    const stale = Array.from({ length: 60 }, (_, i) => i).filter((i) => !kept.has(i));
    expect(c.macWrites.size).toBe(stale.length);
    expect([...c.macWrites.values()].every((n) => n === 1)).toBe(true);
    expect(c.macReads - readsBefore).toBeLessThan(60 + (invocations - 1) * 16);
    const items = await scanAll(base);
    const located = (i: number) => items.find((it) => it.pk === `MAC#${mac(i)}`)?.location !== undefined;
    expect(stale.filter(located)).toEqual([]);
    expect([...kept].filter((i) => !located(i))).toEqual([]);
    // …the counters equal what the items say, and neither the cursor nor the older epoch is left.
    const counted = items.filter((it) => it.pk === 'FABRIC#dc1' && String(it.sk).startsWith('COUNT#')).reduce((n, it) => n + Number(it.macs ?? 0), 0);
    expect(counted).toBe(kept.size);
    expect(items.filter((it) => it.pk === `ROUTER#${RR}/${RR}` && /^(RESYNC|EPOCH)#/.test(String(it.sk))).map((it) => it.sk)).toEqual([
      `EPOCH#${'9'.padStart(20, '0')}`,
    ]);
  });
});
