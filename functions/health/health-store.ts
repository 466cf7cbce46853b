/**
 * DynamoDB I/O of the health function: single-item writes only (no transactions: dynalite has none, and on AWS they
 * cost double). Every write is counted, because writes are what the function costs.
 *
 * Counters are added exactly once per record: a counter item keeps, per source partition, the offset of the last
 * record it counted (`o:<topic>-<partition>`), and an ADD is conditional on it. A redelivered record (a retried batch, a
 * replay from an older offset) is never counted twice, whatever failed in between. Counter writes come before the
 * route items whose changes they count, so a crash between the two leaves the route items to be written again and the
 * counters already right.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export class HealthVersionConflictError extends Error {
  override readonly name = 'HealthVersionConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

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

  constructor(
    readonly doc: DynamoDBDocumentClient,
    readonly table: string,
  ) {}

  async batchGet<T extends Key>(wanted: Key[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const unique = [...new Map(wanted.map((k) => [keyOf(k), { pk: k.pk, sk: k.sk }])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Key[]; ConsistentRead: boolean }> | undefined = {
        [this.table]: { Keys: unique.slice(i, i + 100), ConsistentRead: true },
      };
      while (request && Object.keys(request).length > 0) {
        const res = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        this.reads++;
        for (const it of (res.Responses?.[this.table] ?? []) as T[]) out.set(keyOf(it), it);
        request = res.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  async get<T>(key: Key): Promise<T | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    this.reads++;
    return res.Item as T | undefined;
  }

  async query<T>(pk: string, range?: { from?: string; to?: string; prefix?: string }, opts: { desc?: boolean; limit?: number } = {}): Promise<T[]> {
    const out: T[] = [];
    let start: Record<string, unknown> | undefined;
    const values: Record<string, unknown> = { ':p': pk };
    let cond = 'pk = :p';
    if (range?.prefix !== undefined) {
      cond += ' AND begins_with(sk, :x)';
      values[':x'] = range.prefix;
    } else if (range?.from !== undefined && range.to !== undefined) {
      cond += ' AND sk BETWEEN :a AND :b';
      values[':a'] = range.from;
      values[':b'] = range.to;
    } else if (range?.from !== undefined) {
      cond += ' AND sk >= :a';
      values[':a'] = range.from;
    } else if (range?.to !== undefined) {
      cond += ' AND sk <= :b';
      values[':b'] = range.to;
    }
    do {
      const res = await this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: cond,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: start,
          ScanIndexForward: !opts.desc,
          Limit: opts.limit,
          ConsistentRead: true,
        }),
      );
      this.reads++;
      out.push(...((res.Items ?? []) as T[]));
      start = opts.limit !== undefined && out.length >= opts.limit ? undefined : res.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async delete(key: Key): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: key.pk, sk: key.sk } }));
    this.writes++;
  }

  /** A plain put (items whose key has one writer at a time: a router's sessions, a device's state). */
  async put(item: Key & Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
    this.writes++;
  }

  /** Writes a versioned item if nobody else wrote it since `expectedVersion` was read. */
  async putVersioned<T extends Key & { version: number }>(item: T, expectedVersion: number | undefined): Promise<void> {
    const next = { ...item, version: (expectedVersion ?? 0) + 1 };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: next,
          ConditionExpression: expectedVersion === undefined || expectedVersion === 0 ? 'attribute_not_exists(pk) OR version = :z' : 'version = :v',
          ExpressionAttributeValues: expectedVersion === undefined || expectedVersion === 0 ? { ':z': 0 } : { ':v': expectedVersion },
        }),
      );
      this.writes++;
      item.version = next.version;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new HealthVersionConflictError(`${item.pk} ${item.sk} changed concurrently`, { cause: err });
      throw err;
    }
  }

  /**
   * Adds counters exactly once per record: `parts` are the additions of one source partition's records (offset order);
   * those at or below the item's watermark for that source were counted before and are skipped. `set` is written along.
   */
  async addOnce(key: Key, watermark: string, parts: CountedPart[], set: Record<string, unknown> = {}): Promise<void> {
    let known: number | undefined; // the watermark, once read
    for (let attempt = 0; attempt < 10; attempt++) {
      const counted = known === undefined ? parts : parts.filter((p) => p.offset > known!);
      const add = new Map<string, number>();
      for (const p of counted) for (const [k, v] of Object.entries(p.add)) add.set(k, (add.get(k) ?? 0) + v);
      for (const [k, v] of add) if (v === 0) add.delete(k);
      if (add.size === 0) return; // nothing left to count (the watermark only matters where something is added)
      const names: Record<string, string> = { '#o': watermark };
      const values: Record<string, unknown> = { ':m': counted[counted.length - 1]!.offset };
      const adds: string[] = [];
      let i = 0;
      for (const [k, v] of add) {
        names[`#a${i}`] = k;
        values[`:a${i}`] = v;
        adds.push(`#a${i} :a${i}`);
        i++;
      }
      const sets = ['#o = :m'];
      let j = 0;
      for (const [k, v] of Object.entries(set)) {
        names[`#s${j}`] = k;
        values[`:s${j}`] = v;
        sets.push(`#s${j} = :s${j}`);
        j++;
      }
      let condition: string;
      if (known === undefined) {
        condition = 'attribute_not_exists(#o) OR #o < :f';
        values[':f'] = counted[0]!.offset;
      } else if (known < 0) condition = 'attribute_not_exists(#o)';
      else {
        condition = '#o = :k';
        values[':k'] = known;
      }
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        this.writes++;
        return;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        const item = await this.get<Record<string, unknown>>(key);
        const w = item?.[watermark];
        known = typeof w === 'number' ? w : -1;
      }
    }
    throw new HealthVersionConflictError(`counter ${key.pk} ${key.sk} kept changing under ${watermark}`);
  }

  /** Sets attributes (idempotent: the same values whatever the order of the writes that compute them). */
  async set(key: Key, set: Record<string, unknown>): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const parts = Object.entries(set).map(([k, v], i) => {
      names[`#s${i}`] = k;
      values[`:s${i}`] = v;
      return `#s${i} = :s${i}`;
    });
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: `SET ${parts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    this.writes++;
  }

  /** A conditional write that may lose to a newer one (the loser is simply not written). */
  async putIf(item: Key & Record<string, unknown>, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: condition, ExpressionAttributeValues: values }));
      this.writes++;
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async updateIf(key: Key, update: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({ TableName: this.table, Key: key, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
      this.writes++;
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
