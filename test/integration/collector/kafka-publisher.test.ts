/**
 * The collector's Kafka publisher against the real broker: batch records land on their keys' partitions in order,
 * one-event records are keyed as a plain kafkajs producer would key them, and the bounded buffer signals backpressure
 * until Kafka acknowledges.
 */
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createCollectorMetrics } from '../../../collector/metrics.js';
import { createKafkaPublisher } from '../../../collector/publish/kafka-publisher.js';
import { RouteEvent, RouteEventBatch } from '../../../schemas/events.js';
import { u64 } from '../../../schemas/long.js';
import { brokers, createTopics, kafkaClient, uniqueName, waitFor } from '../support/env.js';

interface Seen {
  partition: number;
  offset: number;
  key: string | undefined;
  events: { mac: string; seq: string }[];
}

async function readAll(topic: string, events: number): Promise<Seen[]> {
  const consumer = kafkaClient('read').consumer({ groupId: uniqueName('read'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Seen[] = [];
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const events = RouteEventBatch.decode(message.value!).events.map((e) => ({ mac: e.mac ?? '', seq: String(e.collectorSeq) }));
      seen.push({ partition, offset: Number(message.offset), key: message.key?.toString(), events });
    },
  });
  await waitFor(() => seen.reduce((n, r) => n + r.events.length, 0) >= events || undefined, `${events} events`);
  await consumer.disconnect();
  return seen;
}

const macOf = (i: number) =>
  `02:00:${randomBytes(1).toString('hex')}:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
const event = (mac: string, seq: number) => RouteEvent.encode({ mac, routeType: 2, collectorSeq: u64(BigInt(seq)), routeKey: `2:x:0:${mac}:` }).finish();

describe('kafka publisher', () => {
  it("packs events into records on their keys' partitions, in order, and keys one-event records as kafkajs would", async () => {
    const topic = uniqueName('routes');
    await createTopics([topic], 4);
    const registry = new Registry();
    const metrics = createCollectorMetrics(registry);
    const pub = await createKafkaPublisher({ brokers: brokers(), batchedTopics: [topic], maxEventsPerRecord: 50, metrics });
    const macs = Array.from({ length: 40 }, (_, i) => macOf(i));
    let seq = 0;
    for (let round = 0; round < 25; round++) for (const mac of macs) pub.enqueue(topic, mac, event(mac, ++seq));
    await pub.flush();
    expect(pub.bufferedBytes).toBe(0);
    expect(await registry.getSingleMetricAsString('evpnlens_kafka_events_produced_total')).toContain(`topic="${topic}"} 1000`);
    const recordsProduced = Number(
      new RegExp(`topic="${topic}"} (\\d+)`).exec(await registry.getSingleMetricAsString('evpnlens_kafka_records_produced_total'))?.[1],
    );
    await pub.close();

    // Where a plain keyed kafkajs producer puts each MAC: the reference for the partitions.
    const refTopic = uniqueName('keyed');
    await createTopics([refTopic], 4);
    const producer = kafkaClient('ref').producer();
    await producer.connect();
    await producer.send({ topic: refTopic, messages: macs.map((mac) => ({ key: mac, value: mac })) });
    await producer.disconnect();
    const refConsumer = kafkaClient('ref').consumer({ groupId: uniqueName('ref'), maxWaitTimeInMs: 100 });
    const partitionOf = new Map<string, number>();
    await refConsumer.connect();
    await refConsumer.subscribe({ topic: refTopic, fromBeginning: true });
    await refConsumer.run({ eachMessage: async ({ partition, message }) => void partitionOf.set(message.key!.toString(), partition) });
    await waitFor(() => partitionOf.size === macs.length || undefined, 'reference partitions');
    await refConsumer.disconnect();

    const records = await readAll(topic, 1000);
    const all = records
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .flatMap((r) => r.events.map((e) => ({ ...e, partition: r.partition })));
    expect(all).toHaveLength(1000);
    expect(records.length).toBeLessThan(100); // packed, not one record per event
    expect(records.length).toBe(recordsProduced);
    for (const e of all) expect(e.partition).toBe(partitionOf.get(e.mac));
    for (const p of new Set(all.map((e) => e.partition))) {
      const seqs = all.filter((e) => e.partition === p).map((e) => Number(e.seq));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }

    // One event per record: each record keyed by its event's MAC, on the same partition.
    const keyedTopic = uniqueName('routes-keyed');
    await createTopics([keyedTopic], 4);
    const one = await createKafkaPublisher({ brokers: brokers(), batchedTopics: [keyedTopic], maxEventsPerRecord: 1 });
    for (const mac of macs) one.enqueue(keyedTopic, mac, event(mac, ++seq));
    await one.close();
    const keyed = await readAll(keyedTopic, macs.length);
    expect(keyed).toHaveLength(macs.length);
    for (const r of keyed) {
      expect(r.events).toHaveLength(1);
      expect(r.key).toBe(r.events[0]!.mac);
      expect(r.partition).toBe(partitionOf.get(r.key!));
    }
  });

  it('asks the sessions to pause past its buffer and lets them go on once Kafka acknowledged', async () => {
    const topic = uniqueName('routes');
    await createTopics([topic], 2);
    const pub = await createKafkaPublisher({ brokers: brokers(), batchedTopics: [topic], highWaterBytes: 64 * 1024 });
    const value = Buffer.alloc(1_000, 1);
    let accepted = 0;
    while (pub.enqueue(topic, `k${accepted}`, value)) accepted++;
    expect(accepted).toBeGreaterThan(50);
    expect(accepted).toBeLessThan(70);
    expect(pub.bufferedBytes).toBeGreaterThanOrEqual(64 * 1024);
    await pub.whenDrained();
    expect(pub.bufferedBytes).toBeLessThan(32 * 1024);
    await pub.close();
    expect(pub.bufferedBytes).toBe(0);
  });
});
