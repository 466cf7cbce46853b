import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type Context, decodeRecords, itemIdentifierOf, type MskBatchResponse, recordsOf } from '../../../functions/shared/msk.js';
import { ensureTables } from '../../../infra/local/ensure-tables.js';
import { createEventSourceRunner, type EventSourceRunner } from '../../../infra/local/event-source-runner.js';
import { RouteAction, RouteEvent } from '../../../schemas/events.js';
import { u64 } from '../../../schemas/long.js';
import type { TableDefinition } from '../../../schemas/tables/index.js';
import { brokers, createTopics, ddb, kafkaClient, uniqueName, waitFor } from '../support/env.js';

const runners: EventSourceRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.stop();
});

async function startRunner(opts: Parameters<typeof createEventSourceRunner>[0]): Promise<EventSourceRunner> {
  const runner = createEventSourceRunner({ ...opts, retryBackoffMs: { initial: 50, max: 200 } });
  runners.push(runner);
  await runner.start();
  await waitFor(() => runner.isReady() || undefined, 'consumer group joined');
  return runner;
}

async function produce(topic: string, messages: { key: string; value: Buffer; partition?: number; headers?: Record<string, string> }[]) {
  const producer = kafkaClient('producer').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
}

async function committedOffset(groupId: string, topic: string, partition: number): Promise<number> {
  const admin = kafkaClient('admin').admin();
  await admin.connect();
  try {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(res[0]?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

describe('event-source-runner', () => {
  it('delivers a protobuf route event as an MSK-shaped batch to a handler whose write reads back from dynalite', async () => {
    const topic = uniqueName('routes');
    await createTopics([topic], 3);
    const prefix = `${uniqueName('t')}-`;
    const def: TableDefinition = { id: 'probe', description: 'test', partitionKey: { name: 'pk', type: 'S' }, globalIndexes: [] };
    const { client, doc } = ddb();
    await ensureTables(client, prefix, [def]);
    const seen: MSKEvent[] = [];
    const handler = async (event: MSKEvent) => {
      seen.push(event);
      for (const r of decodeRecords(event, (b) => RouteEvent.decode(b))) {
        await doc.send(new PutCommand({ TableName: `${prefix}probe`, Item: { pk: r.value.mac, vni: r.value.vni, offset: r.offset, key: r.key } }));
      }
    };
    await startRunner({ brokers: brokers(), mappings: [{ name: uniqueName('m'), topics: [topic], handler, batchSize: 10 }] });

    const value = Buffer.from(
      RouteEvent.encode({ mac: '02:00:00:00:00:01', vni: 10100, routeType: 2, action: RouteAction.ROUTE_ACTION_ADVERTISE, timestampUs: u64(1n) }).finish(),
    );
    await produce(topic, [{ key: '02:00:00:00:00:01', value, headers: { origin: 'test' } }]);

    const item = await waitFor(
      async () => (await doc.send(new GetCommand({ TableName: `${prefix}probe`, Key: { pk: '02:00:00:00:00:01' } }))).Item,
      'item written by the handler',
    );
    expect(item).toMatchObject({ vni: 10100, key: '02:00:00:00:00:01' });
    const event = seen[0]!;
    expect(event.eventSource).toBe('aws:kafka');
    const [record] = [...recordsOf(event)];
    expect(Object.keys(event.records)).toEqual([`${topic}-${record!.partition}`]);
    expect(record).toMatchObject({ topic, offset: 0, timestampType: 'CREATE_TIME', key: Buffer.from('02:00:00:00:00:01').toString('base64') });
    expect(Buffer.from(record!.value, 'base64')).toEqual(value);
    expect(record!.timestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(record!.headers).toEqual([{ origin: [...Buffer.from('test')] }]);
  });

  it('retries a failing batch without skipping or committing any record early', async () => {
    const topic = uniqueName('retry');
    await createTopics([topic], 1);
    const name = uniqueName('m');
    const msgs = Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)), partition: 0 }));
    await produce(topic, msgs);
    let calls = 0;
    const delivered: string[] = [];
    const committedWhileFailing: number[] = [];
    const handler = async (event: MSKEvent) => {
      calls++;
      if (calls <= 3) {
        committedWhileFailing.push(await committedOffset(`evpn-lens-${name}`, topic, 0));
        throw new Error(`transient failure ${calls}`);
      }
      for (const r of recordsOf(event)) delivered.push(Buffer.from(r.value, 'base64').toString());
    };

    await startRunner({ brokers: brokers(), mappings: [{ name, topics: [topic], handler, batchSize: 5 }] });

    await waitFor(() => (delivered.length >= 5 ? true : undefined), 'all records delivered');
    expect(delivered).toEqual(['0', '1', '2', '3', '4']);
    expect(calls).toBe(4);
    expect(committedWhileFailing).toEqual([-1, -1, -1]);
    await waitFor(async () => ((await committedOffset(`evpn-lens-${name}`, topic, 0)) === 5 ? true : undefined), 'offset 5 committed');
  });

  it('commits the records before a partial batch failure and redelivers from the failed record', async () => {
    const topic = uniqueName('partial');
    await createTopics([topic], 1);
    const name = uniqueName('m');
    await produce(
      topic,
      Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)), partition: 0 })),
    );
    const deliveries: number[][] = [];
    let failedOnce = false;
    const handler = async (event: MSKEvent): Promise<MskBatchResponse | void> => {
      const records = [...recordsOf(event)];
      deliveries.push(records.map((r) => r.offset));
      const third = records.find((r) => r.offset === 3);
      if (third && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: itemIdentifierOf(third) }] };
      }
    };

    await startRunner({ brokers: brokers(), mappings: [{ name, topics: [topic], handler, batchSize: 10 }] });

    await waitFor(() => (deliveries.flat().filter((o) => o === 5).length >= 1 && deliveries.length >= 2 ? true : undefined), 'redelivery');
    expect(deliveries[0]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(deliveries[1]).toEqual([3, 4, 5]);
    await waitFor(async () => ((await committedOffset(`evpn-lens-${name}`, topic, 0)) === 6 ? true : undefined), 'offset 6 committed');
  });

  it('passes the deadline contract and re-polls a deadline hand-back at once: no back-off, no failure counted', async () => {
    // Arrange: 6 records; the handler applies one record per invocation and hands the rest back. A failure would wait
    // the back-off (20 s here) each time; a hand-back is polled again at once.
    const topic = uniqueName('handback');
    await createTopics([topic], 1);
    const name = uniqueName('m');
    await produce(
      topic,
      Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)), partition: 0 })),
    );
    const applied: number[] = [];
    const remaining: number[] = [];
    const handler = async (event: MSKEvent, context?: Context): Promise<MskBatchResponse | void> => {
      remaining.push(context?.getRemainingTimeInMillis() ?? -1);
      const [first, next] = [...recordsOf(event)];
      if (first) applied.push(first.offset);
      if (next) return { batchItemFailures: [{ itemIdentifier: itemIdentifierOf(next) }], handedBack: [`${next.topic}-${next.partition}`] };
    };
    const runner = createEventSourceRunner({
      brokers: brokers(),
      retryBackoffMs: { initial: 20_000, max: 20_000 },
      mappings: [{ name, topics: [topic], handler, batchSize: 10, timeoutMs: 60_000 }],
    });
    runners.push(runner);
    await runner.start();
    const started = Date.now();

    // Act
    await waitFor(() => (applied.length >= 6 ? true : undefined), 'every record applied, one per invocation', 60_000);

    // Assert: in order, each once, well inside one back-off; the deadline passed on; no failure counted.
    expect(applied).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(remaining.every((ms) => ms > 50_000 && ms <= 60_000)).toBe(true);
    expect(runner.stats()[name]).toMatchObject({ invocations: 6, failures: 0 });
    await waitFor(async () => ((await committedOffset(`evpn-lens-${name}`, topic, 0)) === 6 ? true : undefined), 'offset 6 committed');
  });

  it('caps batches at batchSize and keeps per-partition order', async () => {
    const topic = uniqueName('batch');
    await createTopics([topic], 2);
    const name = uniqueName('m');
    const perPartition = new Map<number, number[]>();
    const sizes: number[] = [];
    const handler = async (event: MSKEvent) => {
      const records = [...recordsOf(event)];
      sizes.push(records.length);
      for (const r of records) perPartition.set(r.partition, [...(perPartition.get(r.partition) ?? []), Number(Buffer.from(r.value, 'base64').toString())]);
    };
    await startRunner({ brokers: brokers(), mappings: [{ name, topics: [topic], handler, batchSize: 7, batchingWindowMs: 200 }] });

    await produce(
      topic,
      Array.from({ length: 50 }, (_, i) => ({ key: String(i), value: Buffer.from(String(i)), partition: i % 2 })),
    );

    await waitFor(() => ([...perPartition.values()].flat().length === 50 ? true : undefined), '50 records');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    expect(perPartition.get(0)).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
    expect(perPartition.get(1)).toEqual(Array.from({ length: 25 }, (_, i) => i * 2 + 1));
  });
});

describe('event-source-runner batching window', () => {
  it('gathers a trickle of records into few invocations while the window is open', async () => {
    // Arrange: one partition, a 1 s window, 20 single-record sends 100 ms apart (about 2 s).
    const topic = uniqueName('window');
    await createTopics([topic], 1);
    const sizes: number[] = [];
    const handler = async (event: MSKEvent) => {
      sizes.push([...recordsOf(event)].length);
    };
    await startRunner({ brokers: brokers(), mappings: [{ name: uniqueName('m'), topics: [topic], handler, batchSize: 100, batchingWindowMs: 1000 }] });
    const producer = kafkaClient('producer').producer();
    await producer.connect();

    // Act
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic, messages: [{ value: Buffer.from(String(i)) }] });
      await new Promise((r) => setTimeout(r, 100));
    }
    const sendingMs = Date.now() - t0;
    await producer.disconnect();
    await waitFor(() => (sizes.reduce((a, b) => a + b, 0) === 20 ? true : undefined), '20 records', 60_000);

    // Assert: a fetch is held for the window, so about one invocation per window (1 s) of sending rather than one per
    // send. Measured against how long the sends took: a loaded machine sends slower, and then more windows pass.
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(sendingMs / 1000) + 2);
    expect(sizes.length).toBeLessThan(10);
  });

  it('fails the whole batch when a partial batch response names a record that is not in it', async () => {
    const topic = uniqueName('badid');
    await createTopics([topic], 1);
    const name = uniqueName('m');
    await produce(topic, [
      { key: 'k', value: Buffer.from('0'), partition: 0 },
      { key: 'k', value: Buffer.from('1'), partition: 0 },
    ]);
    const deliveries: number[][] = [];
    const handler = async (event: MSKEvent): Promise<MskBatchResponse | void> => {
      deliveries.push([...recordsOf(event)].map((r) => r.offset));
      if (deliveries.length === 1) return { batchItemFailures: [{ itemIdentifier: '' }] } as unknown as MskBatchResponse;
    };

    await startRunner({ brokers: brokers(), mappings: [{ name, topics: [topic], handler, batchSize: 10 }] });

    await waitFor(() => (deliveries.length >= 2 ? true : undefined), 'redelivery');
    expect(deliveries.slice(0, 2)).toEqual([
      [0, 1],
      [0, 1],
    ]);
    await waitFor(async () => ((await committedOffset(`evpn-lens-${name}`, topic, 0)) === 2 ? true : undefined), 'offset 2 committed');
  });
});

describe('event-source-runner lag and rebalances', () => {
  it('reports records not yet committed as lag until the handler succeeds', async () => {
    // Arrange
    const topic = uniqueName('lag');
    await createTopics([topic], 2);
    const name = uniqueName('m');
    await produce(
      topic,
      Array.from({ length: 6 }, (_, i) => ({ key: 'k', value: Buffer.from(String(i)), partition: i % 2 })),
    );
    let failing = true;
    let calls = 0;
    const handler = async () => {
      calls++;
      if (failing) throw new Error('not yet');
    };
    const runner = await startRunner({ brokers: brokers(), mappings: [{ name, topics: [topic], handler }] });
    await waitFor(() => (calls >= 2 ? true : undefined), 'failing invocations');

    // Act / Assert: nothing committed while failing, all of it once the handler recovers.
    expect(await runner.lag()).toEqual({ [name]: 6 });
    failing = false;
    await waitFor(async () => ((await runner.lag())[name] === 0 ? true : undefined), 'lag 0');
  });

  it('delivers every record when a second runner joins the group mid-stream and takes partitions over', async () => {
    // Arrange: two partitions of 200 records each (about 5 s of work each), a slow handler so the stream is still flowing when B joins.
    const topic = uniqueName('rebalance');
    await createTopics([topic], 2);
    const name = uniqueName('m');
    await produce(
      topic,
      Array.from({ length: 400 }, (_, i) => ({ key: String(i), value: Buffer.from(String(i)), partition: i % 2 })),
    );
    const seen = { a: [] as string[], b: [] as string[] };
    const handlerFor = (who: 'a' | 'b') => async (event: MSKEvent) => {
      await new Promise((r) => setTimeout(r, 100));
      for (const r of recordsOf(event)) seen[who].push(`${r.partition}:${r.offset}`);
    };
    const mapping = (who: 'a' | 'b') => ({ name, topics: [topic], handler: handlerFor(who), batchSize: 4 });
    await startRunner({ brokers: brokers(), mappings: [mapping('a')] });
    await waitFor(() => (seen.a.length >= 8 ? true : undefined), 'runner A under way');

    // Act
    await startRunner({ brokers: brokers(), mappings: [mapping('b')] });
    await waitFor(
      async () => {
        const [p0, p1] = await Promise.all([committedOffset(`evpn-lens-${name}`, topic, 0), committedOffset(`evpn-lens-${name}`, topic, 1)]);
        return p0 === 200 && p1 === 200 ? true : undefined;
      },
      'both partitions committed to the end',
      60_000,
      250,
    );

    // Assert: no record skipped (duplicates across the handover are allowed: at-least-once, as on AWS), and B took part.
    const all = new Set([...seen.a, ...seen.b]);
    expect(all.size).toBe(400);
    expect(seen.b.length).toBeGreaterThan(0);
  });
});

describe('event-source-runner multi-partition batches', () => {
  it('delivers several partitions in one invocation and, after a failure in two of them, redelivers only those from their failed records', async () => {
    // Arrange: 4 partitions x 10 records already in the topic, so the first fetch holds all of them.
    const topic = uniqueName('multi');
    await createTopics([topic], 4);
    const name = uniqueName('m');
    await produce(
      topic,
      Array.from({ length: 40 }, (_, i) => ({ key: String(i), value: Buffer.from(String(i)), partition: i % 4 })),
    );
    const invocations: Record<number, number[]>[] = [];
    const failAt = new Map([
      [1, 4],
      [3, 7],
    ]);
    const handler = async (event: MSKEvent): Promise<MskBatchResponse | void> => {
      const got: Record<number, number[]> = {};
      for (const r of recordsOf(event)) (got[r.partition] ??= []).push(r.offset);
      invocations.push(got);
      const failures = [...failAt]
        .map(([p, offset]) => [...recordsOf(event)].find((r) => r.partition === p && r.offset === offset))
        .filter((r) => r !== undefined)
        .map((r) => ({ itemIdentifier: itemIdentifierOf(r) }));
      for (const f of failures) failAt.delete(Number(f.itemIdentifier.partition.split('-').pop())); // fail once
      if (failures.length) return { batchItemFailures: failures };
    };

    // Act
    await startRunner({ brokers: brokers(), mappings: [{ name, topics: [topic], handler, batchSize: 100 }] });
    await waitFor(async () => {
      const offsets = await Promise.all([0, 1, 2, 3].map((p) => committedOffset(`evpn-lens-${name}`, topic, p)));
      return offsets.every((o) => o === 10) ? true : undefined;
    }, 'all four partitions committed to the end');

    // Assert: the failing invocation carried several partitions, both failures in it.
    const failing = invocations.findIndex((inv) => inv[1]?.includes(4) && inv[3]?.includes(7));
    expect(failing).toBeGreaterThanOrEqual(0);
    expect(Object.keys(invocations[failing]!).length).toBeGreaterThanOrEqual(2);
    // Nothing skipped: every record delivered; the failed partitions again from their failed record, the others once.
    const delivered = (p: number) => invocations.flatMap((inv) => inv[p] ?? []);
    for (const p of [0, 1, 2, 3]) expect(new Set(delivered(p))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => i)));
    const after = invocations.slice(failing + 1);
    expect(after.flatMap((inv) => inv[1] ?? [])[0]).toBe(4);
    expect(after.flatMap((inv) => inv[3] ?? [])[0]).toBe(7);
    for (const p of [0, 2]) expect(delivered(p)).toHaveLength(10);
  });
});
