import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler, type MacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { createFunctionContext } from '../../../../infra/catalog/context.js';
import { SCHEDULES } from '../../../../infra/catalog/schedules.js';
import { parseConfig } from '../../../../infra/config/load-config.js';
import { Alert } from '../../../../schemas/events.js';
import { type AlertItem, keys } from '../../../../schemas/tables/index.js';
import { startTestStore } from '../../../support/dynalite.js';
import { macRoute, mskBatch } from '../../../support/route-events.js';

// Duplicate MACs found by time (issue 16): equal-sequence advertisements from different VTEPs and then silence.
const T0 = Date.parse('2026-11-26T10:00:00Z');
const at = (s: number) => T0 + s * 1000;
const HOLD = 10; // the default duplicateHoldSeconds
let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

function newHandler(published: Uint8Array[] = []): MacIndexHandler {
  return createMacIndexHandler({
    ddb: store.doc,
    tableName: store.indexTable,
    alertPublisher: { publish: async (a) => void published.push(...a.map((x) => x.value)) },
  });
}
const alertsFor = async (mac: string) =>
  (
    ((
      await store.doc.send(
        new QueryCommand({ TableName: store.indexTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.alertMonthPk('2026-11') } }),
      )
    ).Items ?? []) as AlertItem[]
  ).filter((a) => a.mac === mac);
const watchOf = async (mac: string) =>
  (
    await store.doc.send(
      new QueryCommand({
        TableName: store.indexTable,
        KeyConditionExpression: 'pk = :p AND sk = :s',
        ExpressionAttributeValues: { ':p': keys.dupWatch(mac, 10100).pk, ':s': keys.dupWatch(mac, 10100).sk },
      }),
    )
  ).Items ?? [];

describe('mac-index duplicate sweep', () => {
  it('raises one duplicate-mac alert naming both fabrics when equal sequences from two fabrics are left alone', async () => {
    const published: Uint8Array[] = [];
    const h = newHandler(published);
    const mac = '02:16:00:00:03:01';
    await h(
      mskBatch([
        { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) },
        { ev: macRoute({ mac, vtep: '10.2.0.1', fabric: 'dc2' }), atMs: at(0.01) },
      ]),
    );
    const item = (await h.store.getMacItem(mac, 10100))!;
    expect(item.location).toMatchObject({ fabric: 'dc1', vtep: '10.1.0.1' });
    expect(item.competing).toEqual([expect.objectContaining({ fabric: 'dc2', vtep: '10.2.0.1', sequence: 0, conflicting: true })]);
    expect(await watchOf(mac)).toHaveLength(1);

    expect(await h.sweep(at(HOLD - 1))).toEqual({ raised: 0, cleared: 0 }); // a move may still be in progress
    expect(await h.sweep(at(HOLD + 1))).toEqual({ raised: 1, cleared: 0 });
    expect(await h.sweep(at(HOLD + 2))).toEqual({ raised: 0, cleared: 0 });

    const alerts = await alertsFor(mac);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      type: 'duplicate-mac',
      raisedAt: new Date(at(HOLD + 0.01)).toISOString(), // hold after the second advertisement
      crossFabric: true,
      fabrics: ['dc1', 'dc2'],
      severity: 'critical',
      locations: [
        expect.objectContaining({ fabric: 'dc1', vtep: '10.1.0.1', sequence: 0 }),
        expect.objectContaining({ fabric: 'dc2', vtep: '10.2.0.1', sequence: 0 }),
      ],
    });
    expect(published.map((b) => Alert.decode(b).locations.map((l) => l.fabric))).toEqual([['dc1', 'dc2']]);
    expect(await watchOf(mac)).toEqual([]); // raised: nothing left to watch
  });

  it('raises a duplicate inside one fabric without crossFabric', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:03:02';
    await h(
      mskBatch([
        { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', seq: 2 }), atMs: at(0) },
        { ev: macRoute({ mac, vtep: '10.1.0.2', fabric: 'dc1', seq: 2 }), atMs: at(0) },
      ]),
    );
    expect((await h.sweep(at(HOLD))).raised).toBe(1);
    expect(await alertsFor(mac)).toEqual([expect.objectContaining({ type: 'duplicate-mac', crossFabric: false, fabrics: ['dc1'], severity: 'warning' })]);
  });

  it('raises nothing for an overlap that ends within the hold, and stops watching', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:03:03';
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.2.0.1', fabric: 'dc2' }), atMs: at(1) }]));
    expect(await watchOf(mac)).toHaveLength(1);
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', withdraw: true }), atMs: at(3) }]));
    expect(await watchOf(mac)).toEqual([]);
    expect((await h.sweep(at(60))).raised).toBe(0);
    expect(await alertsFor(mac)).toEqual([]);
    expect((await h.store.getMacItem(mac, 10100))?.competing).toBeUndefined();
  });

  it('lists an older-sequence advertisement as competing but not conflicting, and raises nothing', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:03:04';
    await h(
      mskBatch([
        { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1', seq: 1 }), atMs: at(0) },
        { ev: macRoute({ mac, vtep: '10.2.0.1', fabric: 'dc2', seq: 2 }), atMs: at(0) },
      ]),
    );
    const item = (await h.store.getMacItem(mac, 10100))!;
    expect(item.location).toMatchObject({ fabric: 'dc2', sequence: 2 });
    expect(item.competing).toEqual([expect.objectContaining({ fabric: 'dc1', sequence: 1, conflicting: false })]);
    expect((await h.sweep(at(60))).raised).toBe(0);
  });

  it('raises the same alert once when an event after the hold and the sweep both find the duplicate', async () => {
    const published: Uint8Array[] = [];
    const h = newHandler(published);
    const mac = '02:16:00:00:03:05';
    await h(
      mskBatch([
        { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: at(0) },
        { ev: macRoute({ mac, vtep: '10.2.0.1', fabric: 'dc2' }), atMs: at(0) },
      ]),
    );
    await h(mskBatch([{ ev: macRoute({ mac, vtep: '10.2.0.1', fabric: 'dc2', ip: '10.9.9.9' }), atMs: at(HOLD + 5) }]));
    expect((await h.sweep(at(HOLD + 6))).raised).toBe(0);
    const alerts = await alertsFor(mac);
    expect(alerts).toEqual([expect.objectContaining({ type: 'duplicate-mac', raisedAt: new Date(at(HOLD)).toISOString() })]);
    expect(published).toHaveLength(1);
  });

  it('runs as the scheduled task (infra/catalog/schedules.ts): configuration from the YAML schema, clients of its own', async () => {
    const mac = '02:16:00:00:03:06';
    await newHandler()(
      mskBatch([
        { ev: macRoute({ mac, vtep: '10.1.0.1', fabric: 'dc1' }), atMs: Date.now() - 5000 },
        { ev: macRoute({ mac, vtep: '10.2.0.1', fabric: 'dc2' }), atMs: Date.now() - 5000 },
      ]),
    );
    const cfg = parseConfig({ dynamodb: { tablePrefix: store.prefix }, macIndex: { duplicateHoldSeconds: 2 } });
    const task = SCHEDULES.find((t) => t.id === 'mac-sweep')!;

    const result = await task.run(createFunctionContext({ cfg, ddb: store.doc, logger: pino({ level: 'silent' }) }), { gauge: () => undefined });

    expect(result).toEqual({ raised: 1, cleared: 0 });
    const month = new Date().toISOString().slice(0, 7);
    const now = (
      (
        await store.doc.send(
          new QueryCommand({ TableName: store.indexTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': keys.alertMonthPk(month) } }),
        )
      ).Items ?? []
    ).filter((a) => a.mac === mac);
    expect(now).toEqual([expect.objectContaining({ type: 'duplicate-mac', fabrics: ['dc1', 'dc2'] })]);
  });
});
