/**
 * DynamoDB I/O of the MAC index: single-item conditional writes only (no transactions: cheaper on AWS, and dynalite
 * has none). Every write is counted, because writes are what the index costs.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AlertItem,
  asSegment,
  type DupWatchItem,
  GSI_SHARDS,
  type HistoryItem,
  type IpItem,
  keys,
  type MacItem,
  macSegmentId,
  type RouterSegmentItem,
  type Segment,
  type SegmentRef,
  shardOf,
} from '../../schemas/tables/index.js';
import { alertId } from './alert-publisher.js';
import type { AlertEffect } from './apply-events.js';
import type { EsChange } from './route-changes.js';

export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class MacIndexStore {
  writes = 0;
  reads = 0;
  /** Of `writes`: router-segment items (what resyncs look through). */
  routerSegmentWrites = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  /** The stored items of these MACs in these segments, by macSegmentId. */
  async getMacItems(ids: ({ mac: string } & Segment)[]): Promise<Map<string, MacItem>> {
    const out = new Map<string, MacItem>();
    for (let i = 0; i < ids.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.table]: { Keys: ids.slice(i, i + 100).map((x) => keys.mac(x.mac, x)) },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request, ConsistentRead: true } as never));
        this.reads++;
        for (const it of (res.Responses?.[this.table] ?? []) as MacItem[]) out.set(macSegmentId(it.mac, it), it);
        request = res.UnprocessedKeys as typeof request;
      }
    }
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
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: next,
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :v',
          ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':v': expectedVersion },
        }),
      );
      this.writes++;
      item.version = next.version;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException)
        throw new VersionConflictError(`MAC ${item.mac} ${item.evi ? `EVI ${item.evi}` : `VNI ${item.vni}`} changed concurrently`, { cause: err });
      throw err;
    }
  }

  async putIp(ip: string, mac: string, seg: Segment, fabric: string, atUs: string): Promise<void> {
    const item: IpItem = { ...keys.ip(ip, mac, seg), ip, mac, vni: seg.vni, ...(seg.evi ? { evi: seg.evi } : {}), fabric, atUs };
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    this.writes++;
  }

  async deleteIp(ip: string, mac: string, seg: Segment): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.ip(ip, mac, seg) }));
    this.writes++;
  }

  async putHistory(h: HistoryItem): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: h }));
    this.writes++;
  }

  async deleteHistory(key: { pk: string; sk: string }): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key }));
    this.writes++;
  }

  /** Starts (or ends) the sweep's watch of a MAC whose locations keep equal sequence numbers. */
  async setDupWatch(item: Pick<MacItem, 'mac' | 'vni' | 'evi' | 'dupSinceMs'>, on: boolean): Promise<void> {
    const key = keys.dupWatch(item.mac, item);
    if (on) {
      const w: DupWatchItem = { ...key, mac: item.mac, vni: item.vni, ...(item.evi ? { evi: item.evi } : {}), sinceMs: item.dupSinceMs ?? 0 };
      await this.doc.send(new PutCommand({ TableName: this.table, Item: w }));
    } else await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key }));
    this.writes++;
  }

  /** Every watched MAC whose watch began at or before `sinceMs`, across the shards. */
  async dupWatches(sinceMs: number): Promise<DupWatchItem[]> {
    const out: DupWatchItem[] = [];
    for (let shard = 0; shard < GSI_SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const res = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :p',
            FilterExpression: 'sinceMs <= :s',
            ExpressionAttributeValues: { ':p': keys.dupWatchPk(shard), ':s': sinceMs },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        );
        this.reads++;
        out.push(...((res.Items ?? []) as DupWatchItem[]));
        start = res.LastEvaluatedKey;
      } while (start);
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
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    } else {
      await this.doc
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: a.alertPk, sk: a.alertSk },
            UpdateExpression: 'SET clearedAt = :c',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':c': new Date(a.clearedAtMs!).toISOString() },
          }),
        )
        .catch((err: unknown) => {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        });
    }
    this.writes++;
  }

  /** MACs per fabric and segment: sharded counter items, the deltas of a batch in one ADD per (fabric, segment). */
  async addFabricCount(fabric: string, seg: Segment, delta: number, salt: string): Promise<void> {
    if (delta === 0) return;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.fabricCount(fabric, seg, shardOf(salt) % GSI_SHARDS),
        UpdateExpression: seg.evi ? 'ADD macs :d SET fabric = :f, evi = :e' : 'ADD macs :d SET fabric = :f, vni = :v',
        ExpressionAttributeValues: seg.evi ? { ':d': delta, ':f': fabric, ':e': seg.evi } : { ':d': delta, ':f': fabric, ':v': seg.vni },
      }),
    );
    this.writes++;
  }

  /** What a fabric has been seen with (for the fabric list and its VNI / VTEP counts): idempotent puts. */
  async markFabricSeen(fabric: string, vnis: Iterable<number>, vteps: Iterable<string>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.fabricList(fabric), fabric } }));
    this.writes++;
    for (const vni of vnis) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.fabricVni(fabric, vni), fabric, vni } }));
      this.writes++;
    }
    for (const vtep of vteps) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.fabricVtep(fabric, vtep), fabric, vtep } }));
      this.writes++;
    }
  }

  /** Moves per fabric per minute (kept for a day). */
  async addMoves(fabric: string, minuteIso: string, n: number): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.fabricMoves(fabric, minuteIso),
        UpdateExpression: 'ADD moves :n SET fabric = :f, expiresAt = :e',
        ExpressionAttributeValues: { ':n': n, ':f': fabric, ':e': Math.floor(Date.parse(`${minuteIso.slice(0, 16)}:00Z`) / 1000) + 86400 },
      }),
    );
    this.writes++;
  }

  /** RFC 7432 §8.2 per-ES A-D state of one VTEP on one segment; only a newer collector sequence replaces it. */
  async putEsMember(c: EsChange): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.esMember(c.esi, c.vtep), esi: c.esi, vtep: c.vtep, active: c.active, ord: c.ord, atUs: String(BigInt(c.atMs) * 1000n) },
          ConditionExpression: 'attribute_not_exists(pk) OR ord < :o',
          ExpressionAttributeValues: { ':o': c.ord },
        }),
      );
      this.writes++;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  /** Notes that these routers reported MACs in these segments (idempotent puts). */
  async putRouterSegments(entries: { router: string; seg: Segment }[]): Promise<void> {
    for (const { router, seg } of entries) {
      const item: RouterSegmentItem = { ...keys.routerSegment(router, seg), router, vni: seg.vni, ...(seg.evi ? { evi: seg.evi } : {}) };
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
      this.writes++;
      this.routerSegmentWrites++;
    }
  }

  /** Notes that these routers' events were indexed in these epochs (20-digit strings; '' for events without one). */
  async putRouterEpochs(entries: { router: string; epoch: string }[]): Promise<void> {
    for (const { router, epoch } of entries) {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...keys.routerEpoch(router, epoch), router, epoch } }));
      this.writes++;
      this.routerSegmentWrites++;
    }
  }

  /** The epochs (older than `below`) this router's events were indexed in. */
  async olderRouterEpochs(router: string, below: string): Promise<string[]> {
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':p': keys.routerPk(router), ':a': keys.routerEpoch(router, '').sk, ':b': keys.routerEpoch(router, below).sk },
        ConsistentRead: true,
      }),
    );
    this.reads++;
    return ((res.Items ?? []) as { sk: string }[]).map((i) => i.sk.slice('EPOCH#'.length)).filter((e) => e < below.padStart(20, '0'));
  }

  async deleteRouterEpochs(router: string, epochs: string[]): Promise<void> {
    for (const e of epochs) {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.routerEpoch(router, e) }));
      this.writes++;
    }
  }

  /** The segments a router reported MACs in. */
  async routerSegments(router: string): Promise<Segment[]> {
    const out: Segment[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': keys.routerPk(router) },
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      this.reads++;
      for (const it of (res.Items ?? []) as RouterSegmentItem[]) {
        if (it.sk.startsWith('EPOCH#')) continue;
        out.push(it.evi ? { vni: 0, evi: it.evi } : { vni: it.vni });
      }
      start = res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  /** Every located MAC item of a segment (gsi1, all shards; eventually consistent: a write conflict re-reads). */
  async *segmentItems(seg: Segment): AsyncGenerator<MacItem[]> {
    for (let shard = 0; shard < GSI_SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const res = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': keys.segmentShardPk(seg, shard) },
            ExclusiveStartKey: start,
          }),
        );
        this.reads++;
        yield (res.Items ?? []) as MacItem[];
        start = res.LastEvaluatedKey;
      } while (start);
    }
  }

  /** Alerts not cleared yet, raised in the given months ("2026-11"). */
  async activeAlerts(months: string[]): Promise<AlertItem[]> {
    const out: AlertItem[] = [];
    for (const m of months) {
      let start: Record<string, unknown> | undefined;
      do {
        const res = await this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :p',
            FilterExpression: 'attribute_not_exists(clearedAt)',
            ExpressionAttributeValues: { ':p': keys.alertMonthPk(m) },
            ExclusiveStartKey: start,
          }),
        );
        this.reads++;
        out.push(...((res.Items ?? []) as AlertItem[]));
        start = res.LastEvaluatedKey;
      } while (start);
    }
    return out;
  }
}
