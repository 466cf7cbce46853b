/**
 * The local stack's store, chosen once at start: DynamoDB at `dynamodb.endpoint` (DYNAMODB_ENDPOINT), DynamoDB on AWS
 * when credentials are present, else the embedded LMDB store under dataDir/store (or dynalite under dataDir/dynamodb
 * with `dynamodb.local: dynalite`). Whichever it is, the functions see the same store port.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { DynamoDbTableStore } from '../../functions/shared/store/dynamodb-table-store.js';
import { healthTable, INDEX_TABLE_ID, indexTable, TABLES, tableName } from '../../schemas/tables/index.js';
import type { StoreTables } from '../catalog/context.js';
import type { Config } from '../config/schema.js';
import { createDdbClient, createDocumentClient } from './ddb-client.js';
import { startDynalite } from './dynalite-store.js';
import { ensureTables } from './ensure-tables.js';
import { LmdbStore } from './lmdb-table-store.js';
import { sweepExpired } from './ttl-sweeper.js';

export interface StackStore {
  tables: StoreTables;
  /** The DynamoDB endpoint (undefined: AWS, or the embedded store). */
  endpoint?: string;
  onAws: boolean;
  /** What is wrong with the store, for /readyz (undefined: reachable). */
  probe(): Promise<string | undefined>;
  /** The store-outage drill's hook: the store refuses every operation for `ms` (undefined with an external store). */
  outage?: (ms: number) => Promise<void>;
  /** Deletes expired items (a store without TTL of its own); undefined on AWS. */
  sweepExpired?: (signal: AbortSignal) => Promise<unknown>;
  stop(): Promise<void>;
}

export async function openStackStore(cfg: Config, dataDir: string, log: Logger): Promise<StackStore> {
  const onAws = !cfg.dynamodb.endpoint && Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE);
  if (!cfg.dynamodb.endpoint && !onAws && cfg.dynamodb.local === 'embedded') return openEmbedded(cfg, dataDir, log);

  const stops: (() => Promise<void>)[] = [];
  let endpoint = cfg.dynamodb.endpoint;
  let outage: StackStore['outage'];
  if (!endpoint && !onAws) {
    const dynalite = await startDynalite({ path: join(dataDir, 'dynamodb') });
    stops.push(dynalite.stop);
    endpoint = dynalite.endpoint;
    outage = dynalite.outage;
  }
  const client = createDdbClient({ endpoint, region: cfg.dynamodb.region });
  stops.push(async () => client.destroy());
  const doc = createDocumentClient(client);
  await ensureTables(client, cfg.dynamodb.tablePrefix);
  const prefix = cfg.dynamodb.tablePrefix;
  // The store's reachability for /readyz: one attempt, a short timeout (the functions' client retries for long).
  const probeClient = new DynamoDBClient({
    region: cfg.dynamodb.region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: 1_000, connectionTimeout: 1_000 },
  });
  stops.push(async () => probeClient.destroy());
  return {
    tables: {
      index: new DynamoDbTableStore(doc, tableName(INDEX_TABLE_ID, prefix), indexTable),
      health: new DynamoDbTableStore(doc, tableName(healthTable.id, prefix), healthTable),
    },
    endpoint,
    onAws,
    async probe() {
      try {
        await probeClient.send(new DescribeTableCommand({ TableName: tableName(INDEX_TABLE_ID, prefix) }));
        return undefined;
      } catch (err) {
        return `DynamoDB store unreachable at ${endpoint ?? 'AWS'} (${err instanceof Error ? err.message || err.name : String(err)})`;
      }
    },
    outage,
    sweepExpired: endpoint ? (signal) => sweepExpired(client, { tables: TABLES, prefix, signal }) : undefined,
    async stop() {
      for (const s of stops.reverse()) await s();
    },
  };
}

function openEmbedded(cfg: Config, dataDir: string, log: Logger): StackStore {
  // A data dir of an earlier version holds the index in dynalite's files: they are left as they are (the routers'
  // re-sent tables rebuild the index), and one line says so.
  const old = join(dataDir, 'dynamodb');
  if (existsSync(old) && !existsSync(join(dataDir, 'store')))
    log.warn(
      `${old} holds a DynamoDB (dynalite) index of an earlier version: the embedded store starts empty under ${join(dataDir, 'store')} and the routers' re-sent tables rebuild it (set dynamodb.local: dynalite to keep using it; delete it to free the space)`,
    );
  const env = new LmdbStore({ path: join(dataDir, 'store') });
  const prefix = cfg.dynamodb.tablePrefix;
  const tables = {
    index: env.table(tableName(INDEX_TABLE_ID, prefix), indexTable),
    health: env.table(tableName(healthTable.id, prefix), healthTable),
  };
  return {
    tables,
    onAws: false,
    async probe() {
      return env.problem();
    },
    async outage(ms) {
      env.refuseFor(ms);
    },
    async sweepExpired() {
      return { index: await tables.index.sweepExpired(), health: await tables.health.sweepExpired() };
    },
    stop: () => env.close(),
  };
}
