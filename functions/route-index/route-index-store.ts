/**
 * The route index's reads and writes, through the store port (functions/shared/store/table-store.ts), by key only.
 * Items: schemas/tables/route-index-items.ts. Route items are written whole under a `version` condition (a concurrent
 * writer retries); the lists, router notes and history are idempotent puts written before the item they follow, so a
 * retried batch finds them in place.
 */

import { usOfMs } from '../../schemas/long.js';
import { keys } from '../../schemas/tables/index-table.js';
import {
  type PrefixHistoryEntry,
  type PrefixItem,
  routeIndexKeys,
  type SegmentMacItem,
  type SegmentRouteItem,
} from '../../schemas/tables/route-index-items.js';
import { pages } from '../shared/store/query-all.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import type { Item, Key, TableStore } from '../shared/store/table-store.js';

export type RouteItem = SegmentRouteItem | PrefixItem | SegmentMacItem;

export class RouteIndexStore {
  writes = 0;
  reads = 0;
  constructor(readonly table: TableStore) {}

  async get<T extends RouteItem>(key: Key): Promise<T | undefined> {
    this.reads++;
    return this.table.get<T>(key);
  }

  /** Writes a route item if nobody wrote it since it was read (`version` is the read one; undefined = it did not exist). */
  async putVersioned(item: RouteItem, readVersion: number | undefined): Promise<void> {
    await this.table.put(
      item as unknown as Item,
      readVersion === undefined ? [{ attr: 'pk', op: 'notExists' }] : [{ attr: 'version', op: 'eq', value: readVersion }],
    );
    this.writes++;
  }

  async putAll(items: Item[]): Promise<void> {
    if (!items.length) return;
    await this.table.batchWrite({ put: items });
    this.writes += items.length;
  }

  /** The VRF list item: notes the VRF and a prefix length present in it (never removed: a stale length costs one read). */
  async noteVrfLength(vrf: string, family: 4 | 6, len: number, ids: { l3Vni?: number; routeTarget?: string }): Promise<void> {
    await this.table.update(routeIndexKeys.vrfList(vrf), { set: { vrf, ...ids, [routeIndexKeys.lenAttr(family, len)]: 1 } });
    this.writes++;
  }

  async putHistory(h: PrefixHistoryEntry): Promise<void> {
    await this.table.put(h as unknown as Item);
    this.writes++;
  }

  async putSegmentListed(esi: string, fabric: string): Promise<void> {
    await this.table.put({ ...routeIndexKeys.segmentList(esi), esi, fabric });
    this.writes++;
  }

  /** Drops a segment from the list when none of its routes is live any more. */
  async unlistSegmentIfGone(esi: string): Promise<void> {
    for await (const page of pages<SegmentRouteItem>(this.table, { pk: routeIndexKeys.segmentPk(esi) })) {
      this.reads++;
      if (page.some((i) => i.live)) return;
    }
    await this.table.delete(routeIndexKeys.segmentList(esi));
    this.writes++;
  }

  /** Every item of a partition, a page at a time (a router's resync sweep). */
  async *partition<T extends Key>(pk: string): AsyncGenerator<T[]> {
    for await (const page of pages<T>(this.table, { pk })) {
      this.reads++;
      yield page;
    }
  }

  /**
   * The MAC index's per-ES A-D member item (RFC 7432 §8.2 mass withdrawal), set inactive by a resync that withdrew the
   * member's per-ES A-D route: only when nothing newer than the sweep's epoch wrote it.
   */
  async detachEsMember(esi: string, vtep: string, ord: string, atMs: number): Promise<void> {
    try {
      await this.table.put({ ...keys.esMember(esi, vtep), esi, vtep, active: false, ord, atUs: usOfMs(atMs) }, [
        { attr: 'pk', op: 'notExists' },
        { attr: 'ord', op: 'lt', value: ord },
      ]);
      this.writes++;
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }
}
