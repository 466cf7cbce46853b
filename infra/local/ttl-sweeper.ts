/**
 * DynamoDB's TTL for the local store: dynalite has none, so the local stack deletes the items whose TTL attribute
 * (epoch seconds, `ttlAttribute` of each table definition; the move history's `expiresAt`) has passed, as DynamoDB does
 * in the background on AWS. A delete is conditional on the item still being expired, so an item written again with a
 * later expiry between the scan and the delete is kept.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '../../schemas/tables/table-definition.js';
import { tableName } from '../../schemas/tables/table-definition.js';

export interface TtlSweepResult {
  scanned: number;
  deleted: number;
}

/** Deletes the expired items of every table that has a TTL attribute; `nowSeconds` is the expiry boundary. */
export async function sweepExpired(
  client: DynamoDBClient,
  o: { tables: readonly TableDefinition[]; prefix: string; nowSeconds?: number; signal?: AbortSignal },
): Promise<TtlSweepResult> {
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  const result: TtlSweepResult = { scanned: 0, deleted: 0 };
  for (const def of o.tables) {
    if (!def.ttlAttribute) continue;
    const keyNames = [def.partitionKey.name, ...(def.sortKey ? [def.sortKey.name] : [])];
    const names: Record<string, string> = { '#ttl': def.ttlAttribute, ...Object.fromEntries(keyNames.map((k, i) => [`#k${i}`, k])) };
    const pages = paginateScan(
      { client, pageSize: 500 },
      {
        TableName: tableName(def.id, o.prefix),
        FilterExpression: '#ttl < :now',
        ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':now': { N: String(now) } },
      },
    );
    for await (const page of pages) {
      result.scanned += page.ScannedCount ?? 0;
      for (const key of page.Items ?? []) {
        if (o.signal?.aborted) return result;
        try {
          await client.send(
            new DeleteItemCommand({
              TableName: tableName(def.id, o.prefix),
              Key: key,
              ConditionExpression: '#ttl < :now',
              ExpressionAttributeNames: { '#ttl': def.ttlAttribute },
              ExpressionAttributeValues: { ':now': { N: String(now) } },
            }),
          );
          result.deleted++;
        } catch (err) {
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      }
      if (o.signal?.aborted) return result;
    }
  }
  return result;
}
