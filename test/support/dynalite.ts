/** An in-process dynalite with the evpn-lens tables, for tests that need the real DynamoDB API but no broker. */
import { randomBytes } from 'node:crypto';
import { DynamoDbTableStore } from '../../functions/shared/store/dynamodb-table-store.js';
import { createDdbClient, createDocumentClient } from '../../infra/local/ddb-client.js';
import { type DynaliteStore, startDynalite } from '../../infra/local/dynalite-store.js';
import { ensureTables } from '../../infra/local/ensure-tables.js';
import { HEALTH_TABLE_ID, healthTable, INDEX_TABLE_ID, indexTable, tableName } from '../../schemas/tables/index.js';

export async function startTestStore(endpoint?: string) {
  let store: DynaliteStore | undefined;
  if (!endpoint) {
    store = await startDynalite();
    endpoint = store.endpoint;
  }
  const client = createDdbClient({ endpoint });
  const doc = createDocumentClient(client);
  const prefix = `t${randomBytes(4).toString('hex')}-`;
  await ensureTables(client, prefix);
  return {
    endpoint,
    client,
    doc,
    prefix,
    indexTable: tableName(INDEX_TABLE_ID, prefix),
    /** The tables through the store port's DynamoDB adapter. */
    index: new DynamoDbTableStore(doc, tableName(INDEX_TABLE_ID, prefix), indexTable),
    health: new DynamoDbTableStore(doc, tableName(HEALTH_TABLE_ID, prefix), healthTable),
    stop: async () => {
      client.destroy();
      await store?.stop();
    },
  };
}
