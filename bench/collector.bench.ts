/**
 * The collector on a generated stream of type-2 routes (several per UPDATE, as route reflectors send a table dump):
 *  1. framing + decode + RIB state + protobuf encoding on one core (no I/O),
 *  2. the same through a real TCP session into the local Kafka broker (idempotent producer, acks=all),
 *  3. bytes of collector memory per route held in its state.
 */
import { connect } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { readFileSync } from 'node:fs';
import { COLLECTOR_TOPICS, createKafkaPublisher, createWirePublisher, startCollector, type EventPublisher } from '../collector/index.js';
import type { CollectorMetrics } from '../collector/metrics.js';
import { BmpFrameDecoder } from '../collector/bmp/index.js';
import { createCollectorMetrics } from '../collector/metrics.js';
import { BmpSession } from '../collector/session/bmp-session.js';
import { FabricResolver } from '../collector/fabric/fabric-resolver.js';
import { CollectorState } from '../collector/state/router-state.js';
import { startKafka } from '../infra/local/kafka-broker.js';
import { ensureTopics } from '../infra/local/kafka-topics.js';
import { freePort } from '../infra/local/free-port.js';
import { ALL_TOPICS } from '../schemas/topics.js';
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
  const counting: EventPublisher = { enqueue: (_t, _k, v) => ((events++, (bytes += v.length)), true), whenDrained: async () => {}, bufferedBytes: 0, flush: async () => {}, close: async () => {} };
  const state = new CollectorState();
  let seq = 0n;
  const run = () => {
    const session = new BmpSession('10.255.255.1', { state, publisher: counting, resolver: new FabricResolver([]), metrics: createCollectorMetrics(new Registry()), logger, collectorId: 'bench', nextSeq: () => ++seq, resyncQuietMs: 30_000, maxBufferedBytes: 1 << 30 });
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
  console.log(`decode+state+encode, first pass (every route new): ${Math.round(ROUTES / first).toLocaleString()} routes/s on one core, ${events.toLocaleString()} events, ${(bytes / events).toFixed(0)} bytes/event`);
  console.log(`state: ${held.toLocaleString()} routes held, ${((heapAfter - heapBefore) / held).toFixed(0)} bytes of heap per route${global.gc ? '' : ' (run with --expose-gc for an exact figure)'}`);
  const before = events;
  const second = run();
  console.log(`same stream again (exact repeats dropped): ${Math.round(ROUTES / second).toLocaleString()} routes/s, ${events - before} events`);
}

// 2. Into Kafka through a real TCP BMP session: the wire producer (default), then kafkajs for comparison.
if (process.env.BENCH_SKIP_KAFKA !== '1') {
  const external = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const kafka = external?.length ? undefined : await startKafka({ heap: '1g' });
  const brokers = external?.length ? external : kafka!.brokers;
  await ensureTopics(brokers, ALL_TOPICS, 12);
  const cpuOfPid = (pid: number | undefined): number => {
    if (!pid) return NaN;
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks of 10 ms
  };
  const producers: Record<string, (metrics: CollectorMetrics) => Promise<EventPublisher>> = {
    wire: (metrics) => createWirePublisher({ brokers, topics: COLLECTOR_TOPICS, metrics, maxBufferedBytes: 64 * 1024 * 1024 }),
    kafkajs: (metrics) => createKafkaPublisher({ brokers, metrics, maxBatchMessages: Number(process.env.BENCH_BATCH ?? 20_000), lingerMs: 5, pipeline: Number(process.env.BENCH_PIPELINE ?? 4), maxBufferedBytes: 64 * 1024 * 1024 }),
  };
  const which = (process.env.BENCH_PRODUCERS ?? 'wire,kafkajs').split(',').filter((p) => p in producers);
  for (const name of which) {
    // kafkajs needs ~15 µs of CPU per event: a tenth of the stream is enough to measure it.
    const routes = name === 'kafkajs' ? Math.min(ROUTES, Number(process.env.BENCH_KAFKAJS_ROUTES ?? 200_000)) : ROUTES;
    const input = routes === ROUTES ? stream : generateType2Stream({ routes, perUpdate: PER_UPDATE }).stream;
    const port = await freePort();
    const collector = await startCollector({ listen: { host: '127.0.0.1', port }, fabrics: [], logger, publisher: producers[name]!, maxBufferedBytes: 64 * 1024 * 1024 });
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
    while ((await produced()) < routes) await new Promise((r) => setTimeout(r, 20));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const brokerCpu = cpuOfPid(kafka?.pid) - broker0;
    const paused = await collector.registry.getSingleMetricAsString('evpnlens_bmp_backpressure_seconds_total');
    console.log(
      `into Kafka with the ${name} producer (${brokers.join(',')}, idempotent, acks=all): ${routes.toLocaleString()} route events acknowledged in ${secs.toFixed(2)} s = ${Math.round(routes / secs).toLocaleString()} routes/s; ` +
        `collector CPU ${((cpu.user + cpu.system) / 1e3 / routes * 1e3).toFixed(2)} µs/route, broker CPU ${Number.isNaN(brokerCpu) ? 'n/a' : `${((brokerCpu * 1e6) / routes).toFixed(2)} µs/route`}; ` +
        `socket paused for backpressure ${Number(/ ([\d.e+-]+)$/m.exec(paused)?.[1] ?? 0).toFixed(1)} s`,
    );
    await collector.stop();
    await collector.publisher.close();
  }
  await kafka?.stop();
}
