/** Read side of the index table for the API (queries only; the MAC-index function is the only writer). */
import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
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

/** A location as the API answers it (the index's location without its internal sticky flag), with the EVI of a MAC without a VNI. */
export type HostLocation = Omit<MacLocation, 'sticky'> & { evi?: string };

export class IndexReader {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  private async queryAll<T>(input: ConstructorParameters<typeof QueryCommand>[0]): Promise<T[]> {
    const out: T[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(new QueryCommand({ ...input, TableName: this.table, ExclusiveStartKey: start }));
      out.push(...((res.Items ?? []) as T[]));
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async macItems(mac: string): Promise<MacItem[]> {
    return this.queryAll<MacItem>({ TableName: this.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.macPk(mac) } });
  }

  async getMacItems(ids: ({ mac: string } & Segment)[]): Promise<MacItem[]> {
    const out: MacItem[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const res = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: ids.slice(i, i + 100).map((x) => keys.mac(x.mac, x)) } } }));
      out.push(...((res.Responses?.[this.table] ?? []) as MacItem[]));
    }
    return out;
  }

  async history(mac: string, limit = 200): Promise<HistoryItem[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': keys.historyPk(mac) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (res.Items ?? []) as HistoryItem[];
  }

  async ipBindings(ip: string): Promise<IpItem[]> {
    return this.queryAll<IpItem>({ TableName: this.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.ipPk(ip) } });
  }

  /** RFC 7432 §8.2: VTEPs whose per-ES A-D route was withdrawn are no longer attached to the segment. */
  async detachedVteps(esi: string): Promise<Set<string>> {
    const items = await this.queryAll<EsMemberItem>({
      TableName: this.table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.esPk(esi) },
    });
    return new Set(items.filter((i) => !i.active).map((i) => i.vtep));
  }

  /** One page of a sharded GSI partition family (VNI#n#ss or VTEP#ip#ss), shard by shard. */
  async page(
    index: 'gsi1' | 'gsi2',
    pkOf: (shard: number) => string,
    limit: number,
    cursor?: { s: number; k?: Record<string, string> },
  ): Promise<{ items: MacItem[]; next?: { s: number; k?: Record<string, string> } }> {
    const items: MacItem[] = [];
    let shard = cursor?.s ?? 0;
    let start: Record<string, unknown> | undefined = cursor?.k;
    const pkName = index === 'gsi1' ? 'gsi1pk' : 'gsi2pk';
    while (shard < GSI_SHARDS && items.length < limit) {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: `${pkName} = :p`,
          ExpressionAttributeValues: { ':p': pkOf(shard) },
          Limit: limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((res.Items ?? []) as MacItem[]));
      if (res.LastEvaluatedKey) {
        return { items, next: { s: shard, k: res.LastEvaluatedKey as Record<string, string> } };
      }
      shard++;
      start = undefined;
    }
    return { items, next: shard < GSI_SHARDS ? { s: shard } : undefined };
  }

  async fabricNames(): Promise<string[]> {
    const items = await this.queryAll<{ sk: string }>({
      TableName: this.table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.fabricsPk },
    });
    return items.map((i) => i.sk);
  }

  async fabricFigures(
    fabric: string,
    sinceMinuteIso: string,
  ): Promise<{ macs: number; vnis: number; vteps: number; movesLast5Min: number; macsPerVni: Record<string, number>; macsPerEvi: Record<string, number> }> {
    const items = await this.queryAll<{ sk: string; macs?: number; moves?: number; vni?: number }>({
      TableName: this.table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.fabricPk(fabric) },
    });
    let macs = 0;
    let vnis = 0;
    let vteps = 0;
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
      } else if (i.sk.startsWith('VNI#')) vnis++;
      else if (i.sk.startsWith('VTEP#')) vteps++;
      else if (i.sk.startsWith('MOVES#') && i.sk.slice(6) >= sinceMinuteIso.slice(0, 16)) moves += Number(i.moves ?? 0);
    }
    for (const per of [macsPerVni, macsPerEvi]) for (const [v, n] of Object.entries(per)) if (n === 0) delete per[v];
    return { macs, vnis, vteps, movesLast5Min: moves, macsPerVni, macsPerEvi };
  }

  async alerts(months: string[]): Promise<AlertItem[]> {
    const out: AlertItem[] = [];
    for (const m of months)
      out.push(
        ...(await this.queryAll<AlertItem>({
          TableName: this.table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': keys.alertMonthPk(m) },
        })),
      );
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
