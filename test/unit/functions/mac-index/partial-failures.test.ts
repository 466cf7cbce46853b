import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import type { MskBatchResponse } from '../../../../functions/shared/msk.js';
import { createDdbClient, createDocumentClient } from '../../../../infra/local/ddb-client.js';
import { startTestStore } from '../../../support/dynalite.js';
import { macRoute, mskBatch, type Timed } from '../../../support/route-events.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

/** A DynamoDB client on the same store whose writes touching one of `macs` fail (an injected throttle). */
function failingWritesFor(macs: Set<string>) {
  const client = createDdbClient({ endpoint: store.endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const write = /^(PutItem|UpdateItem|DeleteItem)/.test(context.commandName ?? '');
      const text = JSON.stringify(args.input);
      if (write && [...macs].some((m) => text.includes(m)))
        throw Object.assign(new Error('injected: ProvisionedThroughputExceededException'), { $retryable: undefined });
      return next(args);
    },
    { step: 'initialize', name: 'injectWriteFailures' },
  );
  return createDocumentClient(client);
}

const host = (mac: string, partition: number, offset: number, vtep: string): Timed => ({
  ev: macRoute({ mac, vtep, fabric: 'dc1' }),
  atMs: T0,
  partition,
  offset,
});

describe('mac-index partial batch failures', () => {
  it('names the first failed record of each partition it failed in, and a redelivery from those checkpoints completes the index', async () => {
    // Arrange: three partitions in one invocation; writes for B (partition 0, offset 11) and F (partition 2, offset 30) fail.
    const items = [
      host('02:00:00:0f:00:0a', 0, 10, '10.1.0.1'),
      host('02:00:00:0f:00:0b', 0, 11, '10.1.0.2'),
      host('02:00:00:0f:00:0c', 0, 12, '10.1.0.3'),
      host('02:00:00:0f:00:0d', 1, 20, '10.1.0.4'),
      host('02:00:00:0f:00:0e', 1, 21, '10.1.0.5'),
      host('02:00:00:0f:00:0f', 2, 30, '10.1.0.6'),
      host('02:00:00:0f:00:10', 2, 31, '10.1.0.7'),
    ];
    const failing = createMacIndexHandler({
      ddb: failingWritesFor(new Set(['02:00:00:0f:00:0b', '02:00:00:0f:00:0f'])),
      tableName: store.indexTable,
      logger: pino({ level: 'silent' }),
    });
    const healthy = createMacIndexHandler({ ddb: store.doc, tableName: store.indexTable });

    // Act
    const res = (await failing(mskBatch(items))) as MskBatchResponse;

    // Assert: one identifier per failed partition, at its first failed record; partition 1 is not named (it is done).
    expect(res.batchItemFailures.map((f) => f.itemIdentifier).sort((a, b) => a.partition.localeCompare(b.partition))).toEqual([
      { partition: 'evpn.routes.v1-0', offset: 11 },
      { partition: 'evpn.routes.v1-2', offset: 30 },
    ]);
    const located = async () =>
      Object.fromEntries(await Promise.all(items.map(async (t) => [t.ev.mac!, (await healthy.store.getMacItem(t.ev.mac!, 10100))?.location?.vtep ?? null])));
    expect(Object.values(await located()).filter((v) => v === null)).toHaveLength(2);

    // Act: the event source mapping redelivers each named partition from its checkpoint, nothing of the others.
    const checkpoint = new Map(res.batchItemFailures.map((f) => [Number(f.itemIdentifier.partition.split('-').pop()), f.itemIdentifier.offset]));
    const again = items.filter((t) => checkpoint.has(t.partition!) && t.offset! >= checkpoint.get(t.partition!)!);
    expect(await healthy(mskBatch(again))).toBeUndefined();

    // Assert: nothing was skipped.
    expect(await located()).toEqual(Object.fromEntries(items.map((t) => [t.ev.mac!, t.ev.nextHop])));
  });
});
