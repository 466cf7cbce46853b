/**
 * The DynamoDB adapter of the store port (AWS, or any DynamoDB endpoint such as dynalite). It stays the store of
 * record on AWS. BatchGetItem asks for consistent reads per table inside RequestItems (where the SDK reads it), and
 * BatchGetItem / BatchWriteItem retry their UnprocessedKeys / UnprocessedItems with capped exponential back-off and
 * full jitter (the AWS Architecture Blog's "Exponential Backoff And Jitter").
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../../../schemas/tables/table-definition.js';
import { conditionExpression, updateExpression } from './conditions.js';
import { ConditionFailedError, InvalidCursorError } from './store-errors.js';
import {
  type Condition,
  type CountInput,
  expired,
  type Item,
  type Key,
  nowSeconds,
  type Page,
  type QueryInput,
  type TableStore,
  type Update,
} from './table-store.js';

const BATCH_GET = 100;
const BATCH_WRITE = 25;
const BATCH_GET_AT_ONCE = 8;

/** Full-jitter back-off: a random wait up to min(cap, base · 2^attempt). */
export function backoffMs(attempt: number, baseMs = 20, capMs = 2000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const encodeCursor = (k: Record<string, unknown> | undefined) => (k ? Buffer.from(JSON.stringify(k)).toString('base64url') : undefined);
/** A cursor back into DynamoDB's start key, checked to be a key of exactly this partition (never a foreign start key). */
function decodeCursor(c: string | undefined, names: string[], partition?: { attr: string; value: string }): Record<string, string> | undefined {
  if (!c) return undefined;
  let k: unknown;
  try {
    k = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch (err) {
    throw new InvalidCursorError('not a cursor of this store', { cause: err });
  }
  const ok =
    typeof k === 'object' &&
    k !== null &&
    !Array.isArray(k) &&
    Object.keys(k).sort().join() === [...new Set(names)].sort().join() &&
    Object.values(k).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024) &&
    (!partition || (k as Record<string, string>)[partition.attr] === partition.value);
  if (!ok) throw new InvalidCursorError('not a cursor of this query');
  return k as Record<string, string>;
}

export class DynamoDbTableStore implements TableStore {
  /** Requests sent (each retry of unprocessed work counts). */
  requests = 0;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly name: string,
    private readonly def: Pick<TableDefinition, 'globalIndexes'>,
    private readonly clock: () => number = nowSeconds,
  ) {}

  async batchGet<T extends Key = Item>(keys: readonly Key[]): Promise<T[]> {
    const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, { pk: k.pk, sk: k.sk }])).values()];
    const out: T[] = [];
    const now = this.clock();
    const chunks: Key[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET) chunks.push(unique.slice(i, i + BATCH_GET));
    // Up to BATCH_GET_AT_ONCE requests in flight: a batch of 5,000 MACs is 50 requests, 7 round trips rather than 50.
    const results: T[][] = chunks.map(() => []);
    let next = 0;
    const worker = async () => {
      for (let c = next++; c < chunks.length; c = next++) {
        let pending: Key[] = chunks[c]!;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 0) await sleep(backoffMs(attempt));
          const res = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.name]: { Keys: pending, ConsistentRead: true } } }));
          this.requests++;
          for (const it of (res.Responses?.[this.name] ?? []) as T[]) if (!expired(it, now)) results[c]!.push(it);
          pending = (res.UnprocessedKeys?.[this.name]?.Keys ?? []) as Key[];
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_GET_AT_ONCE, chunks.length) }, worker));
    for (const r of results) out.push(...r);
    return out;
  }

  async get<T extends Key = Item>(key: Key): Promise<T | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.name, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
    this.requests++;
    const it = res.Item as T | undefined;
    return it && !expired(it, this.clock()) ? it : undefined;
  }

  async put(item: Item, condition?: Condition): Promise<void> {
    const c = condition?.length ? conditionExpression(condition, 'c', this.clock()) : undefined;
    await this.conditional(
      new PutCommand({
        TableName: this.name,
        Item: item,
        ...(c ? { ConditionExpression: c.text, ExpressionAttributeNames: c.names, ...values(c.values) } : {}),
      }),
      item,
    );
  }

  async update(key: Key, update: Update, condition?: Condition): Promise<void> {
    const u = updateExpression(update);
    const c = condition?.length ? conditionExpression(condition, 'c', this.clock()) : undefined;
    await this.conditional(
      new UpdateCommand({
        TableName: this.name,
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: u.text,
        ...(c ? { ConditionExpression: c.text } : {}),
        ExpressionAttributeNames: { ...u.names, ...c?.names },
        ...values({ ...u.values, ...c?.values }),
      }),
      key,
    );
  }

  async delete(key: Key, condition?: Condition): Promise<void> {
    const c = condition?.length ? conditionExpression(condition, 'c', this.clock()) : undefined;
    await this.conditional(
      new DeleteCommand({
        TableName: this.name,
        Key: { pk: key.pk, sk: key.sk },
        ...(c ? { ConditionExpression: c.text, ExpressionAttributeNames: c.names, ...values(c.values) } : {}),
      }),
      key,
    );
  }

  async batchWrite(writes: { put?: readonly Item[]; delete?: readonly Key[] }): Promise<void> {
    // One request may not name a key twice: the last write of a key wins, as it would written one by one.
    const byKey = new Map<string, Record<string, unknown>>();
    for (const k of writes.delete ?? []) byKey.set(`${k.pk}\u0000${k.sk}`, { DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } });
    for (const it of writes.put ?? []) byKey.set(`${it.pk}\u0000${it.sk}`, { PutRequest: { Item: it } });
    const all = [...byKey.values()];
    const chunks: (typeof all)[] = [];
    for (let i = 0; i < all.length; i += BATCH_WRITE) chunks.push(all.slice(i, i + BATCH_WRITE));
    // The requests of one batch at once (its keys are distinct, so their order does not matter): one round trip, not one each.
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending = chunk;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 0) await sleep(backoffMs(attempt));
          const res = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.name]: pending as never } }));
          this.requests++;
          pending = (res.UnprocessedItems?.[this.name] ?? []) as typeof pending;
        }
      }),
    );
  }

  /** The key condition of a query: its partition and, if given, its sort-key prefix or range. */
  private keyCondition(q: CountInput): {
    KeyConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  } {
    const keyNames = this.keyNames(q.index);
    const names: Record<string, string> = { '#p': keyNames.pk };
    const vals: Record<string, unknown> = { ':p': q.pk };
    let cond = '#p = :p';
    if (q.prefix !== undefined || q.from !== undefined || q.to !== undefined) names['#s'] = keyNames.sk;
    if (q.prefix !== undefined) {
      cond += ' AND begins_with(#s, :x)';
      vals[':x'] = q.prefix;
    } else if (q.from !== undefined && q.to !== undefined) {
      cond += ' AND #s BETWEEN :a AND :b';
      vals[':a'] = q.from;
      vals[':b'] = q.to;
    } else if (q.from !== undefined) {
      cond += ' AND #s >= :a';
      vals[':a'] = q.from;
    } else if (q.to !== undefined) {
      cond += ' AND #s <= :b';
      vals[':b'] = q.to;
    }
    return { KeyConditionExpression: cond, ExpressionAttributeNames: names, ExpressionAttributeValues: vals };
  }

  async query<T extends Key = Item>(q: QueryInput): Promise<Page<T>> {
    const keyNames = this.keyNames(q.index);
    const res = await this.doc.send(
      new QueryCommand({
        TableName: this.name,
        ...(q.index ? { IndexName: q.index } : { ConsistentRead: q.consistent ?? true }), // a GSI has no consistent reads
        ...this.keyCondition(q),
        ScanIndexForward: !q.desc,
        Limit: q.limit,
        ExclusiveStartKey: decodeCursor(q.cursor, ['pk', 'sk', keyNames.pk, ...(q.index && keyNames.sk ? [keyNames.sk] : [])], {
          attr: keyNames.pk,
          value: q.pk,
        }),
      }),
    );
    this.requests++;
    const now = this.clock();
    return { items: ((res.Items ?? []) as T[]).filter((it) => !expired(it, now)), cursor: encodeCursor(res.LastEvaluatedKey) };
  }

  async count(q: CountInput): Promise<number> {
    let n = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.name,
          ...(q.index ? { IndexName: q.index } : { ConsistentRead: q.consistent ?? true }),
          ...this.keyCondition(q),
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      this.requests++;
      n += res.Count ?? 0;
      start = res.LastEvaluatedKey;
    } while (start);
    return n;
  }

  async scan(cursor?: string, limit?: number): Promise<Page<Item>> {
    const res = await this.doc.send(
      new ScanCommand({ TableName: this.name, ConsistentRead: true, Limit: limit, ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk']) }),
    );
    this.requests++;
    const now = this.clock();
    return { items: ((res.Items ?? []) as Item[]).filter((it) => !expired(it, now)), cursor: encodeCursor(res.LastEvaluatedKey) };
  }

  /** DynamoDB deletes expired items itself on AWS; dynalite does not, so the local stack sweeps through here. */
  async sweepExpired(nowSec = this.clock()): Promise<number> {
    let deleted = 0;
    let cursor: string | undefined;
    do {
      const res = await this.doc.send(
        new ScanCommand({
          TableName: this.name,
          FilterExpression: 'expiresAt <= :now AND expiresAt > :z',
          ExpressionAttributeValues: { ':now': nowSec, ':z': 0 },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: decodeCursor(cursor, ['pk', 'sk']),
        }),
      );
      this.requests++;
      for (const k of (res.Items ?? []) as Key[]) {
        try {
          // Conditional: an item written again with a later expiry since the scan is kept.
          await this.delete(k, [{ attr: 'expiresAt', op: 'lt', value: nowSec + 1 }]);
          deleted++;
        } catch (err) {
          if (!(err instanceof ConditionFailedError)) throw err;
        }
      }
      cursor = encodeCursor(res.LastEvaluatedKey);
    } while (cursor);
    return deleted;
  }

  private keyNames(index: string | undefined): { pk: string; sk: string } {
    if (!index) return { pk: 'pk', sk: 'sk' };
    const g = this.def.globalIndexes.find((x) => x.indexName === index);
    if (!g) throw new Error(`table ${this.name} has no index ${index}`);
    return { pk: g.partitionKey.name, sk: g.sortKey?.name ?? '' };
  }

  private async conditional(cmd: PutCommand | UpdateCommand | DeleteCommand, key: Key): Promise<void> {
    try {
      await this.doc.send(cmd as never);
      this.requests++;
    } catch (err) {
      this.requests++;
      if (err instanceof ConditionalCheckFailedException)
        throw new ConditionFailedError(`${this.name}: condition failed on ${key.pk} ${key.sk}`, { cause: err });
      throw err;
    }
  }
}

/** ExpressionAttributeValues only when there are some (DynamoDB rejects an empty map). */
function values(v: Record<string, unknown>): { ExpressionAttributeValues?: Record<string, unknown> } {
  return Object.keys(v).length ? { ExpressionAttributeValues: v } : {};
}
