/**
 * Read side of the route index's items (functions/route-index; schemas/tables/route-index-items.ts) for the API: key
 * reads and partition queries only, never a scan.
 *
 * Longest-prefix match (`lpm`): one query of the VRF list (`VRFS`, one partition: a page per ~4,000 VRFs), then per
 * VRF one key per prefix length present in it for the address's family (at most 33 for IPv4, 129 for IPv6), all read
 * by BatchGetItem (100 keys a request). With V VRFs of L lengths each, an answer costs 1 query + V×L key reads in
 * ⌈V×L/100⌉ requests: 1,000 VRFs with 6 lengths each are 6,000 reads (60 requests, about 750 read units eventually
 * consistent); a VRF with every length is 33 (129). The bound holds however many prefixes a VRF has.
 */
import { type PrefixHistoryEntry, type PrefixItem, routeIndexKeys, type SegmentRouteItem, type VrfListItem } from '../../schemas/tables/route-index-items.js';
import { addressOf, coveringPrefixes } from '../shared/route-index/ip-prefix.js';
import { type SegmentView, segmentView } from '../shared/route-index/segment-view.js';
import { queryAll } from '../shared/store/query-all.js';
import type { Key, Page, TableStore } from '../shared/store/table-store.js';

export interface VrfInfo {
  id: string;
  l3Vni?: number;
  routeTarget?: string;
  /** Prefix lengths present (or once present) per family: the longest-prefix match reads one key per length. */
  lengths: { ipv4: number[]; ipv6: number[] };
}

export class RouteIndexReader {
  constructor(readonly table: TableStore) {}

  /** The segment's route items, and a sample (≤ 20) of the MACs more than one member advertises (markers). */
  async segment(esi: string): Promise<SegmentView | undefined> {
    const pk = routeIndexKeys.segmentPk(esi);
    const [items, multi] = await Promise.all([
      queryAll<SegmentRouteItem>(this.table, { pk, prefix: 'R#', consistent: false }),
      this.table.query<Key & { mac: string; segment: string; members: string[] }>({ pk, prefix: 'MULTI#', limit: 20, consistent: false }),
    ]);
    return segmentView(esi, items, multi.items);
  }

  async segmentPage(limit: number, cursor?: string): Promise<Page<Key & { esi: string }>> {
    return this.table.query<Key & { esi: string }>({ pk: routeIndexKeys.segmentsPk, limit, cursor, consistent: false });
  }

  async vrfs(): Promise<VrfInfo[]> {
    const items = await queryAll<VrfListItem & Key>(this.table, { pk: routeIndexKeys.vrfsPk, consistent: false });
    return items.map((i) => {
      const lengths = { ipv4: [] as number[], ipv6: [] as number[] };
      for (const k of Object.keys(i)) {
        const m = /^len:([46])\/(\d+)$/.exec(k);
        if (m) (m[1] === '4' ? lengths.ipv4 : lengths.ipv6).push(Number(m[2]));
      }
      lengths.ipv4.sort((a, b) => a - b);
      lengths.ipv6.sort((a, b) => a - b);
      return { id: i.sk, ...(i.l3Vni ? { l3Vni: i.l3Vni } : {}), ...(i.routeTarget ? { routeTarget: i.routeTarget } : {}), lengths };
    });
  }

  async prefixPage(vrf: string, limit: number, cursor?: string): Promise<Page<PrefixItem>> {
    return this.table.query<PrefixItem>({ pk: routeIndexKeys.vrfPk(vrf), prefix: 'PFX#', limit, cursor, consistent: false });
  }

  async prefix(vrf: string, prefix: string): Promise<PrefixItem | undefined> {
    return this.table.get<PrefixItem>(routeIndexKeys.prefix(vrf, prefix));
  }

  async prefixHistory(vrf: string, prefix: string, limit = 20): Promise<PrefixHistoryEntry[]> {
    return (await this.table.query<PrefixHistoryEntry>({ pk: routeIndexKeys.prefixHistoryPk(vrf, prefix), desc: true, limit, consistent: false })).items;
  }

  /** The live prefixes covering `ip`, every VRF (module header for the cost); `keysRead` says what it cost. */
  async lpm(ip: string): Promise<{ items: PrefixItem[]; vrfs: VrfInfo[]; keysRead: number }> {
    const { family } = addressOf(ip);
    const vrfs = await this.vrfs();
    const keys: Key[] = [];
    for (const v of vrfs) for (const p of coveringPrefixes(ip, family === 4 ? v.lengths.ipv4 : v.lengths.ipv6)) keys.push(routeIndexKeys.prefix(v.id, p.text));
    const items = keys.length ? await this.table.batchGet<PrefixItem>(keys) : [];
    return { items: items.filter((i) => i.live), vrfs, keysRead: keys.length };
  }
}
