/**
 * Builds the functions of functions/ from the configuration and injected clients, once per process: the local stack
 * and every Lambda entry point (infra/aws/lambda/) use the same builders, so a function runs with the same options
 * wherever it runs.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';
import type { HealthApiOptions } from '../../functions/api/fabric-health-routes.js';
import { type ApiDeps, type ApiHandler, createApiHandler } from '../../functions/api/handler.js';
import { IndexReader } from '../../functions/api/index-reader.js';
import { createHealthHandler, type HealthHandler } from '../../functions/health/handler.js';
import { createHealthTick, type HealthTick } from '../../functions/health/tick.js';
import type { AlertPublisher } from '../../functions/mac-index/alert-publisher.js';
import { createMacIndexHandler, type MacIndexHandler } from '../../functions/mac-index/handler.js';
import { macIndexOptions } from '../../functions/mac-index/options.js';
import { indexAlertStore } from '../../functions/notify/alert-store.js';
import type { DeadLetterPublisher } from '../../functions/notify/dead-letter.js';
import { createNotifyHandler, type NotifyHandler } from '../../functions/notify/handler.js';
import type { NotifyMetrics } from '../../functions/notify/notify-metrics.js';
import type { Sink } from '../../functions/notify/sink-config.js';
import { createRouteIndexHandler, type RouteIndexHandler } from '../../functions/route-index/handler.js';
import type { MskHandler } from '../../functions/shared/msk.js';
import { DynamoDbTableStore } from '../../functions/shared/store/dynamodb-table-store.js';
import type { TableStore } from '../../functions/shared/store/table-store.js';
import { HEALTH_TABLE_ID, healthTable as healthTableDef, INDEX_TABLE_ID, indexTable as indexTableDef, tableName } from '../../schemas/tables/index.js';
import type { Config } from '../config/schema.js';
import { resolveSinks } from '../config/sinks.js';

export interface FunctionContextDeps {
  cfg: Config;
  /** The tables through the store port (locally: the embedded store), or DynamoDB through this client. */
  tables?: StoreTables;
  ddb?: DynamoDBDocumentClient;
  logger: Logger;
  /** Where raised and cleared alerts go (evpn.alerts.v1); built on first use. */
  alertPublisher?: () => AlertPublisher;
  readiness?: ApiDeps['readiness'];
  /** When the local stack started (the API marks alerts carried over from before it). */
  startedAt?: Date;
  /** The store has no TTL (dynalite): the health tick deletes expired items itself. */
  sweepExpired?: boolean;
  /** In place of the MAC index's and the health function's own concurrency (the local stack's embedded store). */
  concurrency?: number;
  /** Alert sinks with their secrets (default: resolved from process.env on first use). */
  sinks?: Sink[];
  /** Where the notifier puts what a sink never took (evpn.alerts.dlq.v1); built on first use. */
  deadLetter?: () => DeadLetterPublisher | undefined;
  notifyMetrics?: NotifyMetrics;
  /** Base of the links in alerts (default alerts.dashboardUrl). */
  dashboardUrl?: () => string;
}

/** The stack's two tables. */
export interface StoreTables {
  index: TableStore;
  health: TableStore;
}

export interface FunctionContext {
  readonly cfg: Config;
  readonly tables: StoreTables;
  readonly logger: Logger;
  readonly indexTable: string;
  readonly healthTable: string;
  macIndex(): MacIndexHandler;
  /** Segments and prefixes (functions/route-index). */
  routeIndex(): RouteIndexHandler;
  /** Fabric health: the MSK handler, its scheduled tick, and the view options the API and metrics share. */
  health(): HealthHandler;
  healthTick(): HealthTick;
  healthView(): HealthApiOptions;
  api(): ApiHandler;
  indexReader(): IndexReader;
  /** One notifier per alert sink (functions/notify), each fed by its own consumer group. */
  notifiers(): NotifyHandler[];
  /** The MSK handler of a catalog row that consumes (and of its sink, for a per-sink row). */
  consumer(rowId: string, sink?: string): MskHandler;
}

function dynamoTables(ddb: DynamoDBDocumentClient | undefined, index: string, health: string): StoreTables {
  if (!ddb) throw new Error('createFunctionContext needs tables or a DynamoDB client');
  return { index: new DynamoDbTableStore(ddb, index, indexTableDef), health: new DynamoDbTableStore(ddb, health, healthTableDef) };
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}

export function createFunctionContext(d: FunctionContextDeps): FunctionContext {
  const indexTable = tableName(INDEX_TABLE_ID, d.cfg.dynamodb.tablePrefix);
  const healthTable = tableName(HEALTH_TABLE_ID, d.cfg.dynamodb.tablePrefix);
  const tables: StoreTables = d.tables ?? dynamoTables(d.ddb, indexTable, healthTable);
  const fabricSpecs = d.cfg.fabrics.map((f) => ({ name: f.name, expectedVteps: f.expectedVteps }));
  const health = once(() =>
    createHealthHandler({
      tables,
      alertPublisher: d.alertPublisher?.(),
      options: d.concurrency ? { ...d.cfg.health, concurrency: d.concurrency } : d.cfg.health,
      fabrics: fabricSpecs,
      logger: d.logger.child({ fn: 'health' }),
    }),
  );
  const healthView = once(
    (): HealthApiOptions => ({
      view: { gnmiIntervalSeconds: d.cfg.health.gnmiIntervalSeconds, staleAfterIntervals: d.cfg.health.staleAfterIntervals, rules: d.cfg.health.rules },
      expectedVteps: Object.fromEntries(fabricSpecs.map((f) => [f.name, f.expectedVteps])),
    }),
  );
  const ctx: FunctionContext = {
    cfg: d.cfg,
    tables,
    logger: d.logger,
    indexTable,
    healthTable,
    health,
    healthTick: once(() =>
      createHealthTick(
        health(),
        fabricSpecs.map((f) => f.name),
        { sweepExpired: d.sweepExpired ?? false },
      ),
    ),
    healthView,
    macIndex: once(() =>
      createMacIndexHandler({
        table: tables.index,
        alertPublisher: d.alertPublisher?.(),
        options: macIndexOptions(d.concurrency ? { ...d.cfg.macIndex, concurrency: d.concurrency } : d.cfg.macIndex),
        logger: d.logger.child({ fn: 'mac-index' }),
      }),
    ),
    routeIndex: once(() =>
      createRouteIndexHandler({
        table: tables.index,
        options: {
          moveGapSeconds: d.cfg.macIndex.moveGapSeconds + d.cfg.macIndex.clockSkewSeconds,
          tombstoneSeconds: d.cfg.macIndex.tombstoneSeconds,
          historyRetentionDays: d.cfg.macIndex.historyRetentionDays,
        },
        logger: d.logger.child({ fn: 'route-index' }),
      }),
    ),
    api: once(() =>
      createApiHandler({
        tables,
        fabrics: d.cfg.fabrics.map((f) => f.name),
        health: { tableName: healthTable, ...healthView() },
        logger: d.logger.child({ fn: 'api' }),
        readiness: d.readiness,
        startedAt: d.startedAt,
      }),
    ),
    indexReader: once(() => new IndexReader(tables.index)),
    notifiers: once(() => {
      const sinks = d.sinks ?? resolveSinks(d.cfg, process.env);
      const store = indexAlertStore(tables.index);
      const deadLetter = sinks.length ? d.deadLetter?.() : undefined;
      return sinks.map((sink) =>
        createNotifyHandler({
          sink,
          store,
          deadLetter,
          dashboardUrl: d.dashboardUrl ?? (() => d.cfg.alerts.dashboardUrl ?? ''),
          timing: d.cfg.alerts.delivery,
          metrics: d.notifyMetrics,
          logger: d.logger.child({ fn: 'notify' }),
        }),
      );
    }),
    consumer(rowId, sink) {
      if (rowId === 'mac-index') return ctx.macIndex();
      if (rowId === 'health') return ctx.health();
      if (rowId === 'route-index') return ctx.routeIndex();
      const notifier = rowId === 'notify' ? ctx.notifiers().find((n) => n.sink.name === sink) : undefined;
      if (notifier) return notifier;
      throw new Error(`no handler for the consumer ${rowId}${sink ? ` (sink ${sink})` : ''}: add it to infra/catalog/context.ts`);
    },
  };
  return ctx;
}
