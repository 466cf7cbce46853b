/**
 * The undisturbed run a drill's index is compared with: the same BMP sessions through the same collector and MAC-index
 * code, in-process, with no Kafka, no faults and no concurrency (the collector's events handed to the handler in the
 * order it published them, in MSK-shaped batches), into a table of its own on the drill's store.
 */
import { randomBytes } from 'node:crypto';
import type { MSKEvent } from 'aws-lambda';
import { pino } from 'pino';
import type { FabricRule } from '../../../collector/fabric/fabric-resolver.js';
import type { EventPublisher } from '../../../collector/index.js';
import { startCollector } from '../../../collector/index.js';
import { createMacIndexHandler } from '../../../functions/mac-index/handler.js';
import { createDdbClient, createDocumentClient } from '../../../infra/local/ddb-client.js';
import { ensureTables } from '../../../infra/local/ensure-tables.js';
import { RouteEvent, RouteEventBatch } from '../../../schemas/events.js';
import { INDEX_TABLE_ID, tableName } from '../../../schemas/tables/index.js';
import { TOPICS } from '../../../schemas/topics.js';
import { closeBmp, openBmp, write } from './bmp-feed.js';
import { type IndexSnapshot, snapshotIndex } from './index-snapshot.js';
import { waitUntil } from './wait.js';

class MemoryPublisher implements EventPublisher {
  readonly routes: Uint8Array[] = [];
  private offset = 0n;
  bufferedBytes = 0;
  enqueue(topic: string, _key: string, value: Uint8Array): boolean {
    if (topic === TOPICS.routes) this.routes.push(value);
    return true;
  }
  async appendAcked(): Promise<bigint> {
    return this.offset++;
  }
  whenDrained = async () => {};
  flush = async () => {};
  close = async () => {};
}

/** `sessions`: each a router's whole BMP byte stream, sent one after the other on sessions kept open. */
export async function referenceSnapshot(o: { endpoint: string; sessions: Buffer[]; fabrics: FabricRule[]; expectedEvents: number }): Promise<IndexSnapshot> {
  const client = createDdbClient({ endpoint: o.endpoint });
  const doc = createDocumentClient(client);
  const prefix = `ref-${randomBytes(3).toString('hex')}-`;
  await ensureTables(client, prefix);
  const table = tableName(INDEX_TABLE_ID, prefix);
  const pub = new MemoryPublisher();
  const collector = await startCollector({
    listen: { host: '127.0.0.1', port: 0 },
    fabrics: o.fabrics,
    publisher: pub,
    logger: pino({ level: 'silent' }),
    resyncQuietMs: 600_000,
  });
  const sockets = [];
  for (const s of o.sessions) {
    const sock = await openBmp(collector.address.port);
    await write(sock, s);
    sockets.push(sock);
  }
  await waitUntil(() => pub.routes.length >= o.expectedEvents, `the reference collector's ${o.expectedEvents} route events`, 600_000, 50);
  for (const s of sockets) await closeBmp(s);
  await collector.stop();
  const handler = createMacIndexHandler({ ddb: doc, tableName: table });
  const t0 = Date.parse('2026-11-25T00:00:00Z');
  for (let i = 0, offset = 0; i < pub.routes.length; i += 5_000) {
    const slice = pub.routes.slice(i, i + 5_000);
    const records = [];
    for (let j = 0; j < slice.length; j += 500) {
      const value = Buffer.from(RouteEventBatch.encode({ events: slice.slice(j, j + 500).map((b) => RouteEvent.decode(b)) }).finish());
      records.push({
        topic: TOPICS.routes,
        partition: 0,
        offset: offset++,
        timestamp: t0 + i,
        timestampType: 'CREATE_TIME',
        key: null,
        value: value.toString('base64'),
        headers: [],
      });
    }
    const event = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:reference',
      bootstrapServers: 'reference',
      records: { [`${TOPICS.routes}-0`]: records },
    } as unknown as MSKEvent;
    const res = await handler(event);
    if (res && res.batchItemFailures.length > 0) throw new Error('the reference run failed to index a batch');
  }
  const snap = await snapshotIndex(doc, table);
  client.destroy();
  return snap;
}
