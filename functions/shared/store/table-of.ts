/** How a function is handed its table: the store port itself, or (as before the port) a DynamoDB client and a name. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableDefinition } from '../../../schemas/tables/table-definition.js';
import { DynamoDbTableStore } from './dynamodb-table-store.js';
import type { TableStore } from './table-store.js';

export type TableDeps = { table: TableStore; ddb?: undefined; tableName?: string } | { table?: undefined; ddb: DynamoDBDocumentClient; tableName: string };

export function tableOf(deps: TableDeps, def: TableDefinition): TableStore {
  return deps.table ?? new DynamoDbTableStore(deps.ddb, deps.tableName, def);
}
