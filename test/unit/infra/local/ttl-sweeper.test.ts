import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../../../infra/local/ttl-sweeper.js';
import { TABLES } from '../../../../schemas/tables/index.js';
import { startTestStore } from '../../../support/dynalite.js';

// dynalite has no TTL: the local stack's sweep deletes what DynamoDB would, against the real DynamoDB API.
describe('sweepExpired', () => {
  let store: Awaited<ReturnType<typeof startTestStore>>;
  beforeAll(async () => {
    store = await startTestStore();
  });
  afterAll(async () => {
    await store?.stop();
  });

  it('deletes the items whose expiresAt has passed and keeps the others', async () => {
    const now = 1_800_000_000;
    const put = (item: Record<string, unknown>) => store.doc.send(new PutCommand({ TableName: store.indexTable, Item: item }));
    await put({ pk: 'HIST#02:00:00:00:00:01', sk: '2026-01-01T00:00:00.000Z#10100', expiresAt: now - 1 });
    await put({ pk: 'HIST#02:00:00:00:00:01', sk: '2026-01-02T00:00:00.000Z#10100', expiresAt: now - 86_400 });
    await put({ pk: 'HIST#02:00:00:00:00:02', sk: '2026-03-01T00:00:00.000Z#10100', expiresAt: now + 60 });
    await put({ pk: 'HIST#02:00:00:00:00:03', sk: '2026-03-01T00:00:00.000Z#10100', expiresAt: now });
    await put({ pk: 'MAC#02:00:00:00:00:01', sk: 'VNI#10100', fabric: 'dc1' });

    const r = await sweepExpired(store.client, { tables: TABLES, prefix: store.prefix, nowSeconds: now });

    expect(r.deleted).toBe(2);
    const left = (await store.doc.send(new ScanCommand({ TableName: store.indexTable }))).Items ?? [];
    expect(left.map((i) => `${i.pk} ${i.sk}`).sort()).toEqual([
      'HIST#02:00:00:00:00:02 2026-03-01T00:00:00.000Z#10100',
      'HIST#02:00:00:00:00:03 2026-03-01T00:00:00.000Z#10100',
      'MAC#02:00:00:00:00:01 VNI#10100',
    ]);
  });

  it('stops between deletes when aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await store.doc.send(new PutCommand({ TableName: store.indexTable, Item: { pk: 'HIST#02:00:00:00:00:09', sk: 'x', expiresAt: 1 } }));

    const r = await sweepExpired(store.client, { tables: TABLES, prefix: store.prefix, signal: abort.signal });

    expect(r.deleted).toBe(0);
  });
});
