/**
 * The collector on a generated stream of type-2 routes (several per UPDATE, as route reflectors send a table dump):
 *  1. framing + decode + RIB state + protobuf encoding on one core (no I/O),
 *  2. the same through a real TCP session into the local Kafka broker (idempotent producer, acks=all),
 *  3. bytes of collector memory per route held in its state.
 */
import { connect } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createKafkaPublisher, startCollector, type EventPublisher } from '../collector/index.js';
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

// 2. Into Kafka through a real TCP BMP session.
if (process.env.BENCH_SKIP_KAFKA !== '1') {
  const external = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const kafka = external?.length ? undefined : await startKafka({ heap: '1g' });
  const brokers = external?.length ? external : kafka!.brokers;
  await ensureTopics(brokers, ALL_TOPICS, 12);
  const port = await freePort();
  const collector = await startCollector({ listen: { host: '127.0.0.1', port }, fabrics: [], logger, publisher: (metrics) => createKafkaPublisher({ brokers, metrics, maxBatchMessages: Number(process.env.BENCH_BATCH ?? 20_000), lingerMs: 5, pipeline: Number(process.env.BENCH_PIPELINE ?? 4) }), maxBufferedBytes: 64 * 1024 * 1024 });
  const produced = async () => {
    const text = await collector.registry.getSingleMetricAsString('evpnlens_kafka_events_produced_total');
    return [...text.matchAll(/topic="evpn\.routes\.v1"} (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  };
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.end(stream));
    sock.on('error', reject);
    sock.on('close', () => resolve());
  });
  while ((await produced()) < ROUTES) await new Promise((r) => setTimeout(r, 50));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const paused = await collector.registry.getSingleMetricAsString('evpnlens_bmp_backpressure_seconds_total');
  console.log(`into Kafka (${brokers.join(',')}): ${ROUTES.toLocaleString()} route events acknowledged in ${secs.toFixed(1)} s = ${Math.round(ROUTES / secs).toLocaleString()} routes/s; socket paused for backpressure ${Number(/ ([\d.e+-]+)$/m.exec(paused)?.[1] ?? 0).toFixed(1)} s`);
  await collector.stop();
  await collector.publisher.close();
  await kafka?.stop();
}
