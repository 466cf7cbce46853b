/**
 * The collector on a generated stream of type-2 routes (several per UPDATE, as route reflectors send a table dump):
 *  1. framing + decode + RIB state + protobuf encoding on one core (no I/O),
 *  2. the same through a real TCP session into the local Kafka broker (idempotent producer, acks=all),
 *  3. bytes of collector memory per route held in its state.
 */

import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BmpFrameDecoder } from '../collector/bmp/index.js';
import { FabricResolver } from '../collector/fabric/fabric-resolver.js';
import { createKafkaPublisher, type EventPublisher, startCollector } from '../collector/index.js';
import { createCollectorMetrics } from '../collector/metrics.js';
import { BmpSession } from '../collector/session/bmp-session.js';
import type { AttributeSummary } from '../collector/session/route-labels.js';
import { CollectorState } from '../collector/state/collector-state.js';
import { freePort } from '../infra/local/free-port.js';
import { startKafka } from '../infra/local/kafka-broker.js';
import { ensureTopics } from '../infra/local/kafka-topics.js';
import { RouteEventBatch } from '../schemas/events.js';
import { ALL_TOPICS, TOPICS } from '../schemas/topics.js';
import { generateType2Stream } from './generate-stream.js';

const ROUTES = Number(process.env.BENCH_ROUTES ?? 1_000_000);
const PER_UPDATE = Number(process.env.BENCH_PER_UPDATE ?? 10);
const logger = pino({ level: 'warn' });
const { stream } = generateType2Stream({ routes: ROUTES, perUpdate: PER_UPDATE });
console.log(`stream: ${ROUTES.toLocaleString()} type-2 routes, ${PER_UPDATE} per UPDATE, ${(stream.length / 1e6).toFixed(1)} MB`);

// 1. One core, no I/O: a publisher that only counts bytes.
if (process.env.BENCH_ONLY_KAFKA !== '1') {
  let events = 0;
  let bytes = 0;
  const counting: EventPublisher = {
    enqueue: (_t, _k, v) => {
      events++;
      bytes += v.length;
      return true;
    },
    whenDrained: async () => {},
    bufferedBytes: 0,
    flush: async () => {},
    close: async () => {},
  };
  const state = new CollectorState<AttributeSummary>();
  let seq = 0n;
  const run = () => {
    const session = new BmpSession('10.255.255.1', {
      state,
      publisher: counting,
      resolver: new FabricResolver([]),
      metrics: createCollectorMetrics(new Registry()),
      logger,
      collectorId: 'bench',
      nextSeq: () => ++seq,
      owners: new Map(),
      resyncQuietMs: 30_000,
    });
    const framer = new BmpFrameDecoder();
    const t0 = process.hrtime.bigint();
    for (let off = 0; off < stream.length; off += 65536) for (const m of framer.push(stream.subarray(off, off + 65536))) session.handle(m);
    session.close('end of stream'); // the next pass is the same router reconnecting: a resync against this state
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const first = run();
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const held = state.routeCount();
  console.log(
    `decode+state+encode, first pass (every route new): ${Math.round(ROUTES / first).toLocaleString()} routes/s on one core, ${events.toLocaleString()} events, ${(bytes / events).toFixed(0)} bytes/event`,
  );
  console.log(
    `state: ${held.toLocaleString()} routes held, ${((heapAfter - heapBefore) / held).toFixed(0)} bytes of heap per route${global.gc ? '' : ' (run with --expose-gc for an exact figure)'}`,
  );
  const before = events;
  const second = run();
  console.log(
    `same stream again (a resync: each route republished in the new session epoch, which the index sweeps by): ${Math.round(ROUTES / second).toLocaleString()} routes/s, ${events - before} events`,
  );
}

// 2. Into Kafka through a real TCP BMP session: events packed per partition (the default), then one record per event
//    (what a plain keyed producer does) on a tenth of the stream for comparison. The batched run is read back.
if (process.env.BENCH_SKIP_KAFKA !== '1') {
  const external = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const kafka = external?.length ? undefined : await startKafka({ heap: '1g' });
  const brokers = external?.length ? external : kafka!.brokers;
  const cpuOfPid = (pid: number | undefined): number => {
    if (!pid) return NaN;
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in clock ticks of 10 ms
  };
  const perRecord = Number(process.env.BENCH_EVENTS_PER_RECORD ?? 2_000);
  const runs: { name: string; routes: number; perRecord: number; compression?: 'gzip' }[] = [
    { name: 'batch records', routes: ROUTES, perRecord },
    // The producer compression the configuration offers (kafka.compression): its cost per route on the collector.
    { name: 'batch records, gzip', routes: ROUTES, perRecord, compression: 'gzip' as const },
    { name: 'one record per event', routes: Math.min(ROUTES, 100_000), perRecord: 1 },
  ].filter((r) => !process.env.BENCH_KAFKA_RUNS || process.env.BENCH_KAFKA_RUNS.split('|').includes(r.name));
  for (const run of runs) {
    const topicRun = `bench-${Date.now()}`;
    await ensureTopics(brokers, ALL_TOPICS, 12);
    const input = run.routes === ROUTES ? stream : generateType2Stream({ routes: run.routes, perUpdate: PER_UPDATE }).stream;
    const port = await freePort();
    const admin = new Kafka({ clientId: topicRun, brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    let startOffsets: Awaited<ReturnType<typeof admin.fetchTopicOffsets>> | undefined;
    for (let i = 0; !startOffsets; i++) {
      // Right after the topic is created its partition leaders may not be known yet.
      startOffsets = await admin.fetchTopicOffsets(TOPICS.routes).catch((err: unknown) => {
        if (i > 50) throw err;
        return new Promise<undefined>((r) => setTimeout(() => r(undefined), 200));
      });
    }
    await admin.disconnect();
    const collector = await startCollector({
      listen: { host: '127.0.0.1', port },
      fabrics: [],
      logger,
      publisher: (metrics) =>
        createKafkaPublisher({ brokers, metrics, maxEventsPerRecord: run.perRecord, highWaterBytes: 64 * 1024 * 1024, compression: run.compression }),
    });
    const produced = async () => {
      const text = await collector.registry.getSingleMetricAsString('evpnlens_kafka_events_produced_total');
      return [...text.matchAll(/topic="evpn\.routes\.v1"} (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    };
    const cpu0 = process.cpuUsage();
    const broker0 = cpuOfPid(kafka?.pid);
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => sock.end(input));
      sock.on('error', reject);
      sock.on('close', () => resolve());
    });
    while ((await produced()) < run.routes) await new Promise((r) => setTimeout(r, 20));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const brokerCpu = cpuOfPid(kafka?.pid) - broker0;
    const paused = await collector.registry.getSingleMetricAsString('evpnlens_bmp_backpressure_seconds_total');
    console.log(
      `into Kafka, ${run.name} (kafkajs, idempotent, acks=all, ${brokers.join(',')}): ${run.routes.toLocaleString()} route events acknowledged in ${secs.toFixed(2)} s = ${Math.round(run.routes / secs).toLocaleString()} routes/s; ` +
        `collector CPU ${((cpu.user + cpu.system) / run.routes).toFixed(2)} µs/route, broker CPU ${Number.isNaN(brokerCpu) ? 'n/a' : `${((brokerCpu * 1e6) / run.routes).toFixed(2)} µs/route`}; ` +
        `socket paused for backpressure ${Number(/ ([\d.e+-]+)$/m.exec(paused)?.[1] ?? 0).toFixed(1)} s`,
    );
    await collector.stop();
    await collector.publisher.close();
    if (run.perRecord > 1) {
      // Read the run back: every event is there, in collector order within each partition, on its key's partition.
      const t1 = process.hrtime.bigint();
      const check = await readBack(brokers, startOffsets, run.routes);
      console.log(
        `  read back: ${check.events.toLocaleString()} events in ${check.records.toLocaleString()} records (${(check.events / check.records).toFixed(0)} events/record), ${check.outOfOrder} out of order, ${check.misplaced} on another partition than their key's; ${(Number(process.hrtime.bigint() - t1) / 1e9).toFixed(1)} s`,
      );
    }
  }
  if (!process.env.BENCH_KAFKA_RUNS) await brokerOnly(brokers, kafka?.pid, cpuOfPid);
  await kafka?.stop();
}

/**
 * The same broker fed pre-built batch records (~440 events of 300 bytes, 24 records a request) by kafkajs alone: what
 * Kafka and the client cost per event without the collector, to tell where the collector's bound lies.
 */
async function brokerOnly(brokers: string[], pid: number | undefined, cpuOf: (pid: number | undefined) => number) {
  const perRecord = 440;
  const records = Math.ceil(ROUTES / perRecord);
  const value = Buffer.alloc(perRecord * 300, 7);
  const producer = new Kafka({ clientId: 'bench-broker-only', brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const c0 = cpuOf(pid);
  const p0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < records; i += 24) {
    const messages = Array.from({ length: Math.min(24, records - i) }, (_, j) => ({ partition: (i + j) % 12, key: null, value }));
    await producer.sendBatch({ topicMessages: [{ topic: TOPICS.routes, messages }], acks: -1 });
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const events = records * perRecord;
  const pc = process.cpuUsage(p0);
  const bc = cpuOf(pid) - c0;
  console.log(
    `kafkajs + broker alone, pre-built batch records: ${Math.round(events / secs).toLocaleString()} events/s; ` +
      `kafkajs CPU ${((pc.user + pc.system) / events).toFixed(2)} µs/event, broker CPU ${Number.isNaN(bc) ? 'n/a' : `${((bc * 1e6) / events).toFixed(2)} µs/event`}`,
  );
  await producer.disconnect();
}

async function readBack(brokers: string[], from: { partition: number; offset: string; high: string }[], expected: number) {
  const consumer = new Kafka({ clientId: 'bench-read-back', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `bench-read-back-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.routes });
  const partitioner = Partitioners.DefaultPartitioner();
  const meta = from.map((p) => ({ partitionId: p.partition, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
  const lastSeq = new Map<number, bigint>();
  const r = { events: 0, records: 0, outOfOrder: 0, misplaced: 0 };
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          r.records++;
          for (const ev of RouteEventBatch.decode(m.value!).events) {
            r.events++;
            const seq = BigInt(ev.collectorSeq!.toString());
            if ((lastSeq.get(batch.partition) ?? -1n) >= seq) r.outOfOrder++;
            lastSeq.set(batch.partition, seq);
            if (partitioner({ topic: TOPICS.routes, partitionMetadata: meta, message: { key: ev.mac!, value: null } }) !== batch.partition) r.misplaced++;
          }
        }
        if (r.events >= expected) resolve();
      },
    });
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    for (const p of from) consumer.seek({ topic: TOPICS.routes, partition: p.partition, offset: p.high });
  });
  await done;
  await consumer.disconnect();
  return r;
}
