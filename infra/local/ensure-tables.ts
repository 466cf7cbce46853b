/** Creates the tables of schemas/tables that do not exist yet (idempotent), from the same definitions CDK uses. */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDefinition, tableName } from '../../schemas/tables/index.js';

export function createTableInput(def: TableDefinition, prefix: string): CreateTableCommandInput {
  const attrs = new Map<string, string>();
  const add = (a: { name: string; type: string }) => attrs.set(a.name, a.type);
  add(def.partitionKey);
  if (def.sortKey) add(def.sortKey);
  for (const g of def.globalIndexes) {
    add(g.partitionKey);
    if (g.sortKey) add(g.sortKey);
  }
  return {
    TableName: tableName(def.id, prefix),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType: AttributeType as 'S' | 'N' | 'B' })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    GlobalSecondaryIndexes: def.globalIndexes.length
      ? def.globalIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey.name, KeyType: 'HASH' as const },
            ...(g.sortKey ? [{ AttributeName: g.sortKey.name, KeyType: 'RANGE' as const }] : []),
          ],
          Projection:
            g.projection === 'ALL' || g.projection === 'KEYS_ONLY'
              ? { ProjectionType: g.projection }
              : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: g.projection.include },
        }))
      : undefined,
  };
}

export async function ensureTables(client: DynamoDBClient, prefix: string, defs: readonly TableDefinition[] = TABLES): Promise<string[]> {
  const created: string[] = [];
  for (const def of defs) {
    const input = createTableInput(def, prefix);
    try {
      await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
      await client.send(new CreateTableCommand(input));
      created.push(input.TableName!);
    }
  }
  // CreateTable returns while the table is CREATING; wait until every table (and index) is ACTIVE.
  for (const def of defs) {
    for (let i = 0; ; i++) {
      const t = (await client.send(new DescribeTableCommand({ TableName: tableName(def.id, prefix) }))).Table;
      if (t?.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) break;
      if (i > 600) throw new Error(`table ${tableName(def.id, prefix)} did not become ACTIVE`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return created;
}
