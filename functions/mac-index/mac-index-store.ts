/**
 * Table I/O of the MAC index, through the store port (functions/shared/store): single-item conditional writes for the
 * MAC items (no transactions: cheaper on AWS), unconditional side effects in batches. Every write is counted, because
 * writes are what the index costs.
 */

import { usOfMs } from '../../schemas/long.js';
import {
  type AlertItem,
  asSegment,
  type DupWatchItem,
  GSI_SHARDS,
  type IpItem,
  keys,
  type MacItem,
  macSegmentId,
  type RouterSegmentItem,
  type Segment,
  type SegmentRef,
  shardOf,
} from '../../schemas/tables/index.js';
import { itemsBehind, pages, queryAll } from '../shared/store/query-all.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import type { Item, Key, TableStore } from '../shared/store/table-store.js';
import { alertId } from './alert-publisher.js';
import type { AlertEffect } from './apply-events.js';
import type { Contribution } from './fabric-counts.js';
import type { EsChange } from './route-changes.js';

/** The side effects of one MAC group: unconditional puts and deletes, written together before the MAC item. */
export interface SideEffects {
  put: Item[];
  delete: Key[];
}

/** Counter shard of a source partition (`topic-partition`): one partition's updates never contend with another's. */
export function shardOfSource(src: string): number {
  const m = /-(\d+)$/.exec(src);
  return m ? Number(m[1]) % GSI_SHARDS : shardOf(src) % GSI_SHARDS;
}

export class MacIndexStore {
  writes = 0;
  reads = 0;
  /** Of `writes`: router-segment items (what resyncs look through). */
  routerSegmentWrites = 0;

  constructor(readonly table: TableStore) {}

  /** The stored items of these MACs in these segments, by macSegmentId. */
  async getMacItems(ids: ({ mac: string } & Segment)[]): Promise<Map<string, MacItem>> {
    const out = new Map<string, MacItem>();
    if (ids.length === 0) return out;
    for (const it of await this.table.batchGet<MacItem>(ids.map((x) => keys.mac(x.mac, x)))) out.set(macSegmentId(it.mac, it), it);
    this.reads += Math.ceil(ids.length / 100);
    return out;
  }

  async getMacItem(mac: string, ref: SegmentRef): Promise<MacItem | undefined> {
    const seg = asSegment(ref);
    return (await this.getMacItems([{ mac, vni: seg.vni, evi: seg.evi }])).get(macSegmentId(mac, seg));
  }

  /** Writes the item if nobody else wrote it since `expectedVersion` was read (optimistic concurrency). */
  async putMacItem(item: MacItem, expectedVersion: number | undefined): Promise<void> {
    const loc = item.location;
    const next: MacItem = {
      ...item,
      version: (expectedVersion ?? 0) + 1,
      ...(loc ? { ...keys.segmentGsi(item, item.mac), ...keys.vtepGsi(loc.vtep, item.mac, item) } : {}),
    };
    if (!loc) {
      delete next.gsi1pk;
      delete next.gsi1sk;
      delete next.gsi2pk;
      delete next.gsi2sk;
    }
    try {
      await this.table.put(
        next as unknown as Item,
        expectedVersion === undefined ? [{ attr: 'pk', op: 'notExists' }] : [{ attr: 'version', op: 'eq', value: expectedVersion }],
      );
    } catch (err) {
      if (err instanceof ConditionFailedError)
        throw new ConditionFailedError(`MAC ${item.mac} ${item.evi ? `EVI ${item.evi}` : `VNI ${item.vni}`} changed concurrently`, { cause: err });
      throw err;
    }
    this.writes++;
    item.version = next.version;
  }

  /** Side effects in one batch (one transaction on the embedded store, BatchWriteItem on DynamoDB). */
  async writeSideEffects(fx: SideEffects): Promise<void> {
    const n = fx.put.length + fx.delete.length;
    if (n === 0) return;
    await this.table.batchWrite(fx);
    this.writes += n;
  }

  ipItem(ip: string, mac: string, seg: Segment, fabric: string, atUs: string): IpItem {
    return { ...keys.ip(ip, mac, seg), ip, mac, vni: seg.vni, ...(seg.evi ? { evi: seg.evi } : {}), fabric, atUs };
  }

  /** The sweep's watch of a MAC whose locations keep equal sequence numbers (a put to start it, a delete to end it). */
  dupWatchItem(item: Pick<MacItem, 'mac' | 'vni' | 'evi' | 'dupSinceMs'>): DupWatchItem {
    return { ...keys.dupWatch(item.mac, item), mac: item.mac, vni: item.vni, ...(item.evi ? { evi: item.evi } : {}), sinceMs: item.dupSinceMs ?? 0 };
  }

  /** Starts (or ends) the sweep's watch of a MAC whose locations keep equal sequence numbers. */
  async setDupWatch(item: Pick<MacItem, 'mac' | 'vni' | 'evi' | 'dupSinceMs'>, on: boolean): Promise<void> {
    if (on) await this.table.put(this.dupWatchItem(item) as unknown as Item);
    else await this.table.delete(keys.dupWatch(item.mac, item));
    this.writes++;
  }

  /** Every watched MAC whose watch began at or before `sinceMs`, across the shards. */
  async dupWatches(sinceMs: number): Promise<DupWatchItem[]> {
    const out: DupWatchItem[] = [];
    for (let shard = 0; shard < GSI_SHARDS; shard++) {
      for await (const page of pages<DupWatchItem & Key>(this.table, { pk: keys.dupWatchPk(shard) })) {
        this.reads++;
        out.push(...page.filter((w) => w.sinceMs <= sinceMs));
      }
    }
    return out;
  }

  async putAlert(a: AlertEffect, windowSeconds: number): Promise<void> {
    if (a.kind === 'raise') {
      const item: AlertItem = {
        pk: a.alertPk,
        sk: a.alertSk,
        id: alertId(a),
        type: a.type,
        mac: a.mac,
        vni: a.vni,
        ...(a.evi ? { evi: a.evi } : {}),
        fabric: a.fabric,
        fabrics: a.fabrics,
        raisedAt: new Date(a.raisedAtMs).toISOString(),
        moveCount: a.moveCount,
        windowSeconds,
        detail: a.detail,
        severity: a.severity,
        locations: a.locations,
        crossFabric: a.crossFabric,
      };
      await this.table.put(item as unknown as Item);
    } else {
      await this.table
        .update({ pk: a.alertPk, sk: a.alertSk }, { set: { clearedAt: new Date(a.clearedAtMs!).toISOString() } }, [{ attr: 'pk', op: 'exists' }])
        .catch((err: unknown) => {
          if (!(err instanceof ConditionFailedError)) throw err;
        });
    }
    this.writes++;
  }

  /**
   * MACs per fabric and segment: counter items sharded by source partition, each contribution added once
   * (./fabric-counts.ts): per counter item, one read of its watermark and one update conditioned on it.
   */
  async addCounts(contributions: readonly Contribution[]): Promise<void> {
    const byCounter = new Map<string, { key: Key; fabric: string; seg: Segment; src: string; list: Contribution[] }>();
    for (const c of contributions) {
      const key = keys.fabricCount(c.fabric, c.seg, shardOfSource(c.src));
      const id = `${key.pk}\u0000${key.sk}\u0000${c.src}`;
      let e = byCounter.get(id);
      if (!e) byCounter.set(id, (e = { key, fabric: c.fabric, seg: c.seg, src: c.src, list: [] }));
      e.list.push(c);
    }
    if (byCounter.size === 0) return;
    const stored = new Map<string, Item>();
    for (const it of await this.table.batchGet([...byCounter.values()].map((e) => e.key))) stored.set(`${it.pk}\u0000${it.sk}`, it);
    this.reads += Math.ceil(byCounter.size / 100);
    for (const e of byCounter.values()) {
      const wmAttr = `wm:${e.src}`;
      const wm = stored.get(`${e.key.pk}\u0000${e.key.sk}`)?.[wmAttr];
      const fresh = e.list.filter((c) => typeof wm !== 'string' || c.pos > wm);
      if (fresh.length === 0) continue;
      const delta = fresh.reduce((n, c) => n + c.delta, 0);
      const top = fresh
        .map((c) => c.pos)
        .sort()
        .at(-1)!;
      await this.table.update(
        e.key,
        { add: { macs: delta }, set: { [wmAttr]: top, fabric: e.fabric, ...(e.seg.evi ? { evi: e.seg.evi } : { vni: e.seg.vni }) } },
        typeof wm === 'string' ? [{ attr: wmAttr, op: 'eq', value: wm }] : [{ attr: wmAttr, op: 'notExists' }],
      );
      this.writes++;
    }
  }

  /** What a fabric has been seen with (for the fabric list and its VNI / VTEP counts): idempotent puts. */
  async markFabricSeen(fabric: string, vnis: Iterable<number>, vteps: Iterable<string>): Promise<void> {
    const put: Item[] = [{ ...keys.fabricList(fabric), fabric }];
    for (const vni of vnis) put.push({ ...keys.fabricVni(fabric, vni), fabric, vni });
    for (const vtep of vteps) put.push({ ...keys.fabricVtep(fabric, vtep), fabric, vtep });
    await this.table.batchWrite({ put });
    this.writes += put.length;
  }

  /** Moves per fabric per minute (kept for a day). */
  async addMoves(fabric: string, minuteIso: string, n: number): Promise<void> {
    await this.table.update(keys.fabricMoves(fabric, minuteIso), {
      add: { moves: n },
      set: { fabric, expiresAt: Math.floor(Date.parse(`${minuteIso.slice(0, 16)}:00Z`) / 1000) + 86400 },
    });
    this.writes++;
  }

  /** RFC 7432 §8.2 per-ES A-D state of one VTEP on one segment; only a newer collector sequence replaces it. */
  async putEsMember(c: EsChange): Promise<void> {
    try {
      await this.table.put({ ...keys.esMember(c.esi, c.vtep), esi: c.esi, vtep: c.vtep, active: c.active, ord: c.ord, atUs: usOfMs(c.atMs) }, [
        { attr: 'pk', op: 'notExists' },
        { attr: 'ord', op: 'lt', value: c.ord },
      ]);
      this.writes++;
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }

  /** Notes that these routers reported MACs in these segments (idempotent puts). */
  async putRouterSegments(entries: { router: string; seg: Segment }[]): Promise<void> {
    const put = entries.map(({ router, seg }): Item => {
      const item: RouterSegmentItem = { ...keys.routerSegment(router, seg), router, vni: seg.vni, ...(seg.evi ? { evi: seg.evi } : {}) };
      return item as unknown as Item;
    });
    await this.table.batchWrite({ put });
    this.writes += put.length;
    this.routerSegmentWrites += put.length;
  }

  /** Notes that these routers' events were indexed in these epochs (20-digit strings; '' for events without one). */
  async putRouterEpochs(entries: { router: string; epoch: string }[]): Promise<void> {
    const put = entries.map(({ router, epoch }): Item => ({ ...keys.routerEpoch(router, epoch), router, epoch }));
    await this.table.batchWrite({ put });
    this.writes += put.length;
    this.routerSegmentWrites += put.length;
  }

  /** The epochs (older than `below`) this router's events were indexed in. */
  async olderRouterEpochs(router: string, below: string): Promise<string[]> {
    const items = await queryAll(this.table, { pk: keys.routerPk(router), from: keys.routerEpoch(router, '').sk, to: keys.routerEpoch(router, below).sk });
    this.reads++;
    return items.map((i) => i.sk.slice('EPOCH#'.length)).filter((e) => e < below.padStart(20, '0'));
  }

  async deleteRouterEpochs(router: string, epochs: string[]): Promise<void> {
    await this.table.batchWrite({ delete: epochs.map((e) => keys.routerEpoch(router, e)) });
    this.writes += epochs.length;
  }

  /** The segments a router reported MACs in. */
  async routerSegments(router: string): Promise<Segment[]> {
    const out: Segment[] = [];
    for await (const page of pages<RouterSegmentItem>(this.table, { pk: keys.routerPk(router) })) {
      this.reads++;
      for (const it of page) {
        if (it.sk.startsWith('EPOCH#') || it.sk.startsWith('RESYNC#')) continue;
        out.push(it.evi ? { vni: 0, evi: it.evi } : { vni: it.vni });
      }
    }
    return out;
  }

  /**
   * Every located MAC item of a segment (gsi1, all shards: keys only; the items read from the table by key), in the
   * index's order (shard, MAC). `after` (a sweep position `<gsi1pk>|<mac>`): only the items that sort after it, the
   * shards before it not read at all.
   */
  async *segmentItems(seg: Segment, after?: string): AsyncGenerator<MacItem[]> {
    const cut = after === undefined ? -1 : after.lastIndexOf('|');
    const [afterPk, afterMac] = cut < 0 ? ['', ''] : [after!.slice(0, cut), after!.slice(cut + 1)];
    for (let shard = 0; shard < GSI_SHARDS; shard++) {
      const pk = keys.segmentShardPk(seg, shard);
      if (pk < afterPk) continue;
      const from = pk === afterPk ? afterMac : undefined;
      for await (const page of pages(this.table, { index: 'gsi1', pk, ...(from ? { from } : {}) })) {
        this.reads += 1 + Math.ceil(page.length / 100);
        const keysAfter = from ? page.filter((k) => String((k as Record<string, unknown>).gsi1sk) > from) : page;
        yield await itemsBehind<MacItem>(this.table, keysAfter, 'gsi1pk', pk);
      }
    }
  }

  /** Where an unfinished resync sweep of this router and epoch stopped (a sweep position), if one did. */
  async resyncCursor(router: string, epoch: string): Promise<string | undefined> {
    const it = await this.table.get(keys.resyncCursor(router, epoch));
    this.reads++;
    return typeof it?.after === 'string' ? it.after : undefined;
  }

  /** Notes where the sweep stopped (kept a week at most: a sweep never resumed is superseded by a later resync). */
  async putResyncCursor(router: string, epoch: string, after: string, nowMs: number): Promise<void> {
    await this.table.put({ ...keys.resyncCursor(router, epoch), router, epoch, after, expiresAt: Math.floor(nowMs / 1000) + 7 * 86_400 });
    this.writes++;
  }

  async deleteResyncCursor(router: string, epoch: string): Promise<void> {
    await this.table.delete(keys.resyncCursor(router, epoch));
    this.writes++;
  }

  /** Alerts not cleared yet, raised in the given months ("2026-11"). */
  async activeAlerts(months: string[]): Promise<AlertItem[]> {
    const out: AlertItem[] = [];
    for (const m of months) {
      for await (const page of pages<AlertItem>(this.table, { pk: keys.alertMonthPk(m) })) {
        this.reads++;
        out.push(...page.filter((a) => a.clearedAt === undefined));
      }
    }
    return out;
  }
}
