/**
 * The query API alone behind the local HTTP server, on the run's dynalite with its own tables and a few indexed hosts:
 * for tests of the HTTP surface (fuzzing, tokens, the dashboard's token prompt) that need no Kafka.
 */
import { resolve } from 'node:path';
import { createApiHandler } from '../../../functions/api/handler.js';
import { createMacIndexHandler } from '../../../functions/mac-index/handler.js';
import { DASHBOARD_VENDOR_DIRS } from '../../../infra/local/dashboard-vendor.js';
import { ensureTables } from '../../../infra/local/ensure-tables.js';
import { type HttpServer, type HttpServerOptions, startHttpServer } from '../../../infra/local/http-server.js';
import { INDEX_TABLE_ID, tableName } from '../../../schemas/tables/index.js';
import { macRoute, mskBatch } from '../../support/route-events.js';
import { ddb, uniqueName } from './env.js';

export const API_SERVER_MACS = Array.from({ length: 12 }, (_, i) => `02:14:00:00:00:${i.toString(16).padStart(2, '0')}`);

export async function startApiServer(
  o: Partial<Pick<HttpServerOptions, 'auth' | 'maxBodyBytes' | 'host'>> = {},
): Promise<HttpServer & { stopAll(): Promise<void> }> {
  const { client, doc } = ddb();
  const prefix = `${uniqueName('api')}-`;
  await ensureTables(client, prefix);
  const table = tableName(INDEX_TABLE_ID, prefix);
  const t0 = Date.now() - 60_000;
  await createMacIndexHandler({ ddb: doc, tableName: table })(
    mskBatch(
      API_SERVER_MACS.map((mac, i) => ({
        ev: macRoute({ mac, vni: 14000 + (i % 3), vtep: `10.14.0.${1 + (i % 4)}`, fabric: i % 2 ? 'dc1' : 'dc2', ip: `10.14.1.${i}` }),
        atMs: t0 + i,
      })),
    ),
  );
  const server = await startHttpServer({
    host: o.host ?? '127.0.0.1',
    port: 0,
    api: createApiHandler({ ddb: doc, tableName: table, fabrics: ['dc1', 'dc2'] }),
    dashboardDir: resolve(import.meta.dirname, '../../../dashboard'),
    vendorDirs: DASHBOARD_VENDOR_DIRS,
    ...(o.auth ? { auth: o.auth } : {}),
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
  });
  return {
    ...server,
    async stopAll() {
      await server.close();
      client.destroy();
    },
  };
}
