/**
 * The query API: one handler, API Gateway HTTP API (payload v2) shaped, that runs behind API Gateway on AWS and behind
 * the local stack's HTTP server. Routes are a small table.
 * The Lambda entry point is infra/aws/lambda/api.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { type Logger, pino } from 'pino';
import { HEALTH_TABLE_ID, healthTable, INDEX_TABLE_ID, indexTable } from '../../schemas/tables/index.js';
import { FabricHealthReader } from '../shared/fabric-health/health-reader.js';
import { DEFAULT_GNMI_INTERVAL_SECONDS, DEFAULT_STALE_AFTER_INTERVALS, DEFAULT_STATUS_RULES } from '../shared/fabric-health/status-rules.js';
import { DynamoDbTableStore } from '../shared/store/dynamodb-table-store.js';
import type { TableStore } from '../shared/store/table-store.js';
import { listAlerts, listFabrics } from './fabric-alert-routes.js';
import { fabricHealth, fabricHistory, fabricVtep, type HealthApiOptions } from './fabric-health-routes.js';
import { getHost, hostsByIp, hostsByVni, hostsByVtep } from './hosts-routes.js';
import { IndexReader } from './index-reader.js';
import { openApiDocument } from './openapi.js';
import { listVrfs, matchPrefixes, prefixesByIp, vrfPrefixes } from './prefix-routes.js';
import { ApiProblemError, json, notFound, problemResponse } from './problem.js';
import { RouteIndexReader } from './route-index-reader.js';
import { getSegment, listSegments } from './segment-routes.js';

/** The index table, and the health table beside it: through the store port, or a DynamoDB client and the names. */
export type ApiTables =
  | { tables: { index: TableStore; health: TableStore }; ddb?: undefined; tableName?: string }
  | { tables?: undefined; ddb: DynamoDBDocumentClient; tableName: string };

export type ApiDeps = ApiTables & {
  /** Fabrics from the configuration (listed even before any route was seen). */
  fabrics?: string[];
  /** The health table and the health view's options (status rules, staleness, expected VTEPs per fabric). */
  health?: { tableName?: string } & HealthApiOptions;
  /** Extra readiness checks (locally: Kafka, the consumers). */
  readiness?: () => Promise<{ ready: boolean; detail?: string }>;
  /** When the local stack started: active alerts raised before it are marked raisedBeforeRestart. */
  startedAt?: Date;
  logger?: Logger;
};

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

type Query = Record<string, string | undefined>;
interface Route {
  pattern: RegExp;
  run: (params: string[], query: Query) => Promise<unknown>;
}

export function createApiHandler(deps: ApiDeps): ApiHandler {
  const tables = deps.tables ?? {
    index: new DynamoDbTableStore(deps.ddb, deps.tableName, indexTable),
    // Without health options: the health table beside the index table (same prefix).
    health: new DynamoDbTableStore(deps.ddb, deps.health?.tableName ?? `${deps.tableName.slice(0, -INDEX_TABLE_ID.length)}${HEALTH_TABLE_ID}`, healthTable),
  };
  const reader = new IndexReader(tables.index);
  const routeIndex = new RouteIndexReader(tables.index);
  const log = deps.logger ?? pino({ name: 'api', level: 'warn' });
  // Without health options: the default rules.
  const health = deps.health ?? {
    view: { gnmiIntervalSeconds: DEFAULT_GNMI_INTERVAL_SECONDS, staleAfterIntervals: DEFAULT_STALE_AFTER_INTERVALS, rules: DEFAULT_STATUS_RULES },
    expectedVteps: {},
  };
  const healthReader = new FabricHealthReader(tables.health, tables.index);
  const indexFabrics = () => reader.fabricNames();
  const routes: Route[] = [
    { pattern: /^\/v1\/openapi\.json$/, run: async () => openApiDocument },
    { pattern: /^\/v1\/hosts\/([^/]+)$/, run: ([mac], q) => getHost(reader, mac!, q) },
    // An address no MAC/IP route knows falls back to its covering prefixes (type 5), marked match: prefix.
    { pattern: /^\/v1\/hosts$/, run: (_p, q) => hostsByIp(reader, q, (ip) => matchPrefixes(routeIndex, ip)) },
    { pattern: /^\/v1\/segments$/, run: (_p, q) => listSegments(routeIndex, q) },
    { pattern: /^\/v1\/segments\/([^/]+)$/, run: ([esi]) => getSegment(routeIndex, esi!) },
    { pattern: /^\/v1\/prefixes$/, run: (_p, q) => prefixesByIp(routeIndex, q) },
    { pattern: /^\/v1\/vrfs$/, run: () => listVrfs(routeIndex) },
    { pattern: /^\/v1\/vrfs\/([^/]+)\/prefixes$/, run: ([id], q) => vrfPrefixes(routeIndex, id!, q) },
    { pattern: /^\/v1\/vnis\/([^/]+)\/hosts$/, run: ([vni], q) => hostsByVni(reader, vni!, q) },
    { pattern: /^\/v1\/vteps\/([^/]+)\/hosts$/, run: ([ip], q) => hostsByVtep(reader, ip!, q) },
    { pattern: /^\/v1\/fabrics$/, run: () => listFabrics(reader, deps.fabrics ?? [], healthReader) },
    { pattern: /^\/v1\/fabrics\/([^/]+)\/health$/, run: ([name]) => fabricHealth(healthReader, health, name!, indexFabrics) },
    { pattern: /^\/v1\/fabrics\/([^/]+)\/history$/, run: ([name], q) => fabricHistory(healthReader, health, name!, q, indexFabrics) },
    { pattern: /^\/v1\/fabrics\/([^/]+)\/vteps\/([^/]+)$/, run: ([name, ip]) => fabricVtep(healthReader, health, name!, ip!, indexFabrics) },
    { pattern: /^\/v1\/alerts$/, run: (_p, q) => listAlerts(reader, q, new Date(), deps.startedAt) },
    { pattern: /^\/healthz$/, run: async () => ({ status: 'ok' }) },
  ];

  return async (event) => {
    const path = event.rawPath || '/';
    const method = event.requestContext?.http?.method ?? 'GET';
    const query: Query = { ...(event.queryStringParameters ?? {}) };
    try {
      if (path === '/readyz') {
        const r = deps.readiness ? await deps.readiness() : { ready: true };
        return r.ready ? json({ status: 'ready' }) : problemResponse(new ApiProblemError(503, 'Service Unavailable', r.detail ?? 'not ready'), path);
      }
      for (const route of routes) {
        const m = route.pattern.exec(path);
        if (!m) continue;
        if (method !== 'GET' && method !== 'HEAD')
          return {
            ...problemResponse(new ApiProblemError(405, 'Method Not Allowed', `${method} is not allowed on ${path}; use GET`), path),
            headers: { 'content-type': 'application/problem+json', allow: 'GET, HEAD' },
          };
        const params = m.slice(1).map(decodePathSegment);
        return json(await route.run(params, query));
      }
      throw notFound(`no route for ${path}`);
    } catch (err) {
      if (err instanceof ApiProblemError) return problemResponse(err, path);
      log.error({ err, path }, 'API error');
      return problemResponse(new ApiProblemError(500, 'Internal Server Error', 'the request failed; see the server log'), path);
    }
  };
}

/** A path segment's percent-encoding decoded; a malformed one is the client's error, not the server's. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (err) {
    throw new ApiProblemError(400, 'Bad Request', `"${segment.slice(0, 64)}" is not valid percent-encoding`, { cause: err });
  }
}
