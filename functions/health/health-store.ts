/**
 * Table I/O of the health function, through the store port (functions/shared/store): single-item writes only (no
 * transactions: on AWS they cost double). Every write is counted, because writes are what the function costs.
 *
 * Counters are added exactly once per record: a counter item keeps, per source partition, the offset of the last
 * record it counted (`o:<topic>-<partition>`), and an ADD is conditional on it. A redelivered record (a retried batch, a
 * replay from an older offset) is never counted twice, whatever failed in between. Counter writes come before the
 * route items whose changes they count, so a crash between the two leaves the route items to be written again and the
 * counters already right.
 */

import { queryAll } from '../shared/store/query-all.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import type { Condition, Item, TableStore } from '../shared/store/table-store.js';

export type Key = { pk: string; sk: string };
export const keyOf = (k: Key) => `${k.pk}|${k.sk}`;

/** Counter additions caused by one record. */
export interface CountedPart {
  offset: number;
  add: Record<string, number>;
}

export class HealthStore {
  writes = 0;
  reads = 0;

  constructor(readonly table: TableStore) {}

  async batchGet<T extends Key>(wanted: Key[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    if (wanted.length === 0) return out;
    for (const it of await this.table.batchGet<T>(wanted)) out.set(keyOf(it), it);
    this.reads += Math.ceil(wanted.length / 100);
    return out;
  }

  async get<T>(key: Key): Promise<T | undefined> {
    this.reads++;
    return (await this.table.get(key)) as T | undefined;
  }

  async query<T>(pk: string, range?: { from?: string; to?: string; prefix?: string }, opts: { desc?: boolean; limit?: number } = {}): Promise<T[]> {
    this.reads++;
    return (await queryAll(this.table, { pk, ...range, ...opts })) as T[];
  }

  async delete(key: Key): Promise<void> {
    await this.table.delete({ pk: key.pk, sk: key.sk });
    this.writes++;
  }

  /** A plain put (items whose key has one writer at a time: a router's sessions, a device's state). */
  async put(item: Key & Record<string, unknown>): Promise<void> {
    await this.table.put(item);
    this.writes++;
  }

  /** Writes a versioned item if nobody else wrote it since `expectedVersion` was read (else ConditionFailedError). */
  async putVersioned<T extends Key & { version: number }>(item: T, expectedVersion: number | undefined): Promise<void> {
    const next = { ...item, version: (expectedVersion ?? 0) + 1 } as unknown as Item;
    const condition: Condition =
      expectedVersion === undefined || expectedVersion === 0
        ? [
            { attr: 'pk', op: 'notExists' },
            { attr: 'version', op: 'eq', value: 0 },
          ]
        : [{ attr: 'version', op: 'eq', value: expectedVersion }];
    try {
      await this.table.put(next, condition);
    } catch (err) {
      if (err instanceof ConditionFailedError) throw new ConditionFailedError(`${item.pk} ${item.sk} changed concurrently`, { cause: err });
      throw err;
    }
    this.writes++;
    item.version = next.version as number;
  }

  /**
   * Adds counters exactly once per record: `parts` are the additions of one source partition's records (offset order);
   * those at or below the item's watermark for that source were counted before and are skipped. `set` is written along.
   */
  async addOnce(key: Key, watermark: string, parts: CountedPart[], set: Record<string, unknown> = {}): Promise<void> {
    let known: number | undefined; // the watermark, once read
    for (let attempt = 0; attempt < 10; attempt++) {
      const counted = known === undefined ? parts : parts.filter((p) => p.offset > known!);
      const add: Record<string, number> = {};
      for (const p of counted) for (const [k, v] of Object.entries(p.add)) add[k] = (add[k] ?? 0) + v;
      for (const [k, v] of Object.entries(add)) if (v === 0) delete add[k];
      if (Object.keys(add).length === 0) return; // nothing left to count (the watermark only matters where something is added)
      let condition: Condition;
      if (known === undefined)
        condition = [
          { attr: watermark, op: 'notExists' },
          { attr: watermark, op: 'lt', value: counted[0]!.offset },
        ];
      else if (known < 0) condition = [{ attr: watermark, op: 'notExists' }];
      else condition = [{ attr: watermark, op: 'eq', value: known }];
      try {
        await this.table.update(key, { set: { ...set, [watermark]: counted[counted.length - 1]!.offset }, add }, condition);
        this.writes++;
        return;
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
        const item = await this.get<Record<string, unknown>>(key);
        const w = item?.[watermark];
        known = typeof w === 'number' ? w : -1;
      }
    }
    throw new ConditionFailedError(`counter ${key.pk} ${key.sk} kept changing under ${watermark}`);
  }

  /** Sets attributes (idempotent: the same values whatever the order of the writes that compute them). */
  async set(key: Key, set: Record<string, unknown>): Promise<void> {
    await this.table.update(key, { set });
    this.writes++;
  }

  /** A conditional write that may lose to a newer one (the loser is simply not written). */
  async putIf(item: Key & Record<string, unknown>, condition: Condition): Promise<boolean> {
    try {
      await this.table.put(item, condition);
      this.writes++;
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** Sets attributes of an item when the condition holds; false when it does not. */
  async updateIf(key: Key, set: Record<string, unknown>, condition: Condition): Promise<boolean> {
    try {
      await this.table.update(key, { set }, condition);
      this.writes++;
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }
}
