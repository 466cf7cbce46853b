/**
 * Read side of fabric health: the fabric's items in the health table, its minute history, its counter buckets, and
 * the MAC index's figures of the fabric (MAC counts, moves per minute) from the index table. Queries only.
 */
import {
  type CounterBucketItem,
  type DeviceRatesItem,
  type FabricStatusItem,
  HEALTH_SK,
  type HealthMinuteItem,
  healthKeys,
  keys,
  minuteOf,
  RATE_SHARDS,
} from '../../../schemas/tables/index.js';
import { pages } from '../store/query-all.js';
import type { Key, QueryInput, TableStore } from '../store/table-store.js';
import type { FabricSnapshot } from './fabric-view.js';

export class FabricHealthReader {
  reads = 0;

  constructor(
    readonly healthTable: TableStore,
    readonly indexTable: TableStore,
  ) {}

  private async queryAll<T>(table: TableStore, pk: string, range?: Pick<QueryInput, 'from' | 'to'>, consistent = false): Promise<T[]> {
    const out: T[] = [];
    for await (const page of pages<Key>(table, { pk, ...range, consistent })) {
      this.reads++;
      out.push(...(page as T[]));
    }
    return out;
  }

  /** Fabrics the health function has seen. */
  async fabricNames(): Promise<string[]> {
    return (await this.queryAll<{ sk: string }>(this.healthTable, healthKeys.fabricsPk)).map((i) => i.sk);
  }

  async status(fabric: string): Promise<FabricStatusItem | undefined> {
    const items = await this.queryAll<FabricStatusItem>(this.healthTable, healthKeys.fabricPk(fabric), { from: HEALTH_SK.status, to: HEALTH_SK.status });
    return items[0];
  }

  /**
   * Minute items of the fabric from `sinceMinute` on, each with its devices' rates (`d:<device>`): key queries only,
   * one of the minute partition and one per rate shard (RATE_SHARDS), all from `sinceMinute`, run at once.
   */
  async minutes(fabric: string, sinceMinute: string, consistent = false): Promise<HealthMinuteItem[]> {
    const [items, ...shards] = await Promise.all([
      this.queryAll<HealthMinuteItem>(this.healthTable, healthKeys.historyPk(fabric), { from: sinceMinute }, consistent),
      ...Array.from({ length: RATE_SHARDS }, (_, s) =>
        this.queryAll<DeviceRatesItem>(this.healthTable, healthKeys.ratesPk(fabric, s), { from: sinceMinute }, consistent),
      ),
    ]);
    const byMinute = new Map(items.map((m) => [m.sk, m]));
    for (const r of shards.flat()) {
      let m = byMinute.get(r.minute);
      if (!m) byMinute.set(r.minute, (m = { ...healthKeys.history(fabric, r.minute), fabric, expiresAt: r.expiresAt }));
      m[`d:${r.device}`] = r.rates;
    }
    return [...byMinute.values()].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
  }

  /** The MAC index's figures of the fabric: MACs (per VNI) and moves per minute. */
  async indexFigures(fabric: string): Promise<{ macs: number; macsPerVni: Record<string, number>; movesByMinute: Record<string, number> }> {
    const items = await this.queryAll<{ sk: string; macs?: number; moves?: number }>(this.indexTable, keys.fabricPk(fabric));
    let macs = 0;
    const macsPerVni: Record<string, number> = {};
    const movesByMinute: Record<string, number> = {};
    for (const i of items) {
      if (i.sk.startsWith('COUNT#')) {
        const vni = i.sk.split('#')[1]!;
        macs += Number(i.macs ?? 0);
        macsPerVni[vni] = (macsPerVni[vni] ?? 0) + Number(i.macs ?? 0);
      } else if (i.sk.startsWith('MOVES#')) movesByMinute[i.sk.slice(6)] = (movesByMinute[i.sk.slice(6)] ?? 0) + Number(i.moves ?? 0);
    }
    for (const [v, n] of Object.entries(macsPerVni)) if (n === 0) delete macsPerVni[v];
    return { macs, macsPerVni, movesByMinute };
  }

  /** Everything the view needs; `consistent` for the health function's own evaluation. */
  async snapshot(fabric: string, nowMs: number, consistent = false): Promise<FabricSnapshot> {
    const [items, minutes, figures] = await Promise.all([
      this.queryAll<Record<string, unknown>>(this.healthTable, healthKeys.fabricPk(fabric), undefined, consistent),
      this.minutes(fabric, minuteOf(nowMs - 10 * 60_000), consistent),
      this.indexFigures(fabric),
    ]);
    return { fabric, items, minutes, ...figures };
  }

  /** A device's counter buckets from `sinceMinute` on (per-VNI and per-peer detail of a VTEP). */
  async buckets(fabric: string, device: string, sinceMinute: string): Promise<CounterBucketItem[]> {
    return this.queryAll<CounterBucketItem>(this.healthTable, healthKeys.bucketPk(fabric, device), { from: sinceMinute });
  }
}
