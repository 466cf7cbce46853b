/** Read side of the index table for the API (queries only; the MAC-index function is the only writer). */
import {
  type AlertItem,
  type EsMemberItem,
  GSI_SHARDS,
  type HistoryItem,
  type IpItem,
  keys,
  type MacItem,
  type MacLocation,
  type Segment,
} from '../../schemas/tables/index.js';
import { routeIndexKeys, type SegmentRouteItem } from '../../schemas/tables/route-index-items.js';
import { type SegmentView, segmentView } from '../shared/route-index/segment-view.js';
import { itemsBehind, queryAll } from '../shared/store/query-all.js';
import type { Key, QueryInput, TableStore } from '../shared/store/table-store.js';

/** A location as the API answers it (the index's location without its internal sticky flag), with the EVI of a MAC without a VNI. */
export type HostLocation = Omit<MacLocation, 'sticky'> & { evi?: string };

export class IndexReader {
  constructor(readonly table: TableStore) {}

  /** Eventually consistent: the API reads what the index function wrote a moment ago, at half the price on DynamoDB. */
  private queryAll<T extends Key>(q: QueryInput): Promise<T[]> {
    return queryAll<T>(this.table, { consistent: false, ...q });
  }

  async macItems(mac: string): Promise<MacItem[]> {
    return this.queryAll<MacItem>({ pk: keys.macPk(mac) });
  }

  async getMacItems(ids: ({ mac: string } & Segment)[]): Promise<MacItem[]> {
    return ids.length ? this.table.batchGet<MacItem>(ids.map((x) => keys.mac(x.mac, x))) : [];
  }

  async history(mac: string, limit = 200): Promise<HistoryItem[]> {
    return (await this.table.query<HistoryItem>({ pk: keys.historyPk(mac), desc: true, limit, consistent: false })).items;
  }

  async ipBindings(ip: string): Promise<IpItem[]> {
    return this.queryAll<IpItem>({ pk: keys.ipPk(ip) });
  }

  /** RFC 7432 §8.2: VTEPs whose per-ES A-D route was withdrawn are no longer attached to the segment. */
  async detachedVteps(esi: string): Promise<Set<string>> {
    const items = await this.queryAll<EsMemberItem>({ pk: keys.esPk(esi) });
    return new Set(items.filter((i) => !i.active).map((i) => i.vtep));
  }

  /** The redundancy mode of an Ethernet segment, from the route index's items (undefined: no live route of it). */
  async segmentMode(esi: string): Promise<SegmentView['mode'] | undefined> {
    const items = await this.queryAll<SegmentRouteItem>({ pk: routeIndexKeys.segmentPk(esi), prefix: 'R#' });
    return segmentView(esi, items)?.mode;
  }

  /** One page of a sharded GSI partition family (VNI#n#ss or VTEP#ip#ss), shard by shard; `k` is the store's cursor. */
  async page(
    index: 'gsi1' | 'gsi2',
    pkOf: (shard: number) => string,
    limit: number,
    cursor?: { s: number; k?: string },
  ): Promise<{ items: MacItem[]; next?: { s: number; k?: string } }> {
    const items: MacItem[] = [];
    let shard = cursor?.s ?? 0;
    let start: string | undefined = cursor?.k;
    while (shard < GSI_SHARDS && items.length < limit) {
      // The indexes project keys only: the items are read from the table by key.
      const res = await this.table.query({ index, pk: pkOf(shard), limit: limit - items.length, cursor: start });
      items.push(...(await itemsBehind<MacItem>(this.table, res.items, `${index}pk`, pkOf(shard))));
      if (res.cursor) return { items, next: { s: shard, k: res.cursor } };
      shard++;
      start = undefined;
    }
    return { items, next: shard < GSI_SHARDS ? { s: shard } : undefined };
  }

  async fabricNames(): Promise<string[]> {
    const items = await this.queryAll<Key>({ pk: keys.fabricsPk });
    return items.map((i) => i.sk);
  }

  async fabricFigures(
    fabric: string,
    sinceMinuteIso: string,
  ): Promise<{ macs: number; vnis: number; vteps: number; movesLast5Min: number; macsPerVni: Record<string, number>; macsPerEvi: Record<string, number> }> {
    // The counters and the last minutes' moves are read; the VNIs and VTEPs ever seen only counted (a fabric of
    // thousands of VTEPs made every call read and decode them all: a dashboard polling it slowed the indexing).
    const pk = keys.fabricPk(fabric);
    type Figure = Key & { macs?: number; moves?: number };
    const [counts, eviCounts, minutes, vnis, vteps] = await Promise.all([
      this.queryAll<Figure>({ pk, prefix: 'COUNT#' }),
      this.queryAll<Figure>({ pk, prefix: 'COUNTEVI#' }),
      this.queryAll<Figure>({ pk, from: `MOVES#${sinceMinuteIso.slice(0, 16)}`, to: 'MOVES$' }),
      this.table.count({ pk, prefix: 'VNI#', consistent: false }),
      this.table.count({ pk, prefix: 'VTEP#', consistent: false }),
    ]);
    const items = [...counts, ...eviCounts, ...minutes];
    let macs = 0;
    let moves = 0;
    const macsPerVni: Record<string, number> = {};
    const macsPerEvi: Record<string, number> = {};
    for (const i of items) {
      if (i.sk.startsWith('COUNT#') || i.sk.startsWith('COUNTEVI#')) {
        // COUNT#<vni>#<shard>, COUNTEVI#<route target>#<shard>: an EVI's MACs count as MACs, never as a VNI's.
        macs += Number(i.macs ?? 0);
        const per = i.sk.startsWith('COUNT#') ? macsPerVni : macsPerEvi;
        const seg = i.sk.slice(i.sk.indexOf('#') + 1, i.sk.lastIndexOf('#'));
        per[seg] = (per[seg] ?? 0) + Number(i.macs ?? 0);
      } else moves += Number(i.moves ?? 0);
    }
    for (const per of [macsPerVni, macsPerEvi]) for (const [v, n] of Object.entries(per)) if (n === 0) delete per[v];
    return { macs, vnis, vteps, movesLast5Min: moves, macsPerVni, macsPerEvi };
  }

  async alerts(months: string[]): Promise<AlertItem[]> {
    const out: AlertItem[] = [];
    for (const m of months) out.push(...(await this.queryAll<AlertItem>({ pk: keys.alertMonthPk(m) })));
    return out;
  }
}

export function toHostLocation(l: MacLocation, detached: Set<string> = new Set(), evi?: string): HostLocation {
  const vteps = l.vteps.filter((v) => !detached.has(v));
  return {
    fabric: l.fabric,
    vni: l.vni,
    ...(evi ? { evi } : {}),
    vtep: vteps[0] ?? l.vtep,
    vteps: vteps.length ? vteps : l.vteps,
    esi: l.esi,
    routers: l.routers,
    ips: l.ips,
    sequence: l.sequence,
    since: l.since,
    lastSeen: l.lastSeen,
  };
}
