/**
 * The gNMI collector:
 *  1. decode + normalize (+ encode the VtepSample) of OpenConfig VTEP peer counters on one core, apart from
 *     publishing (no I/O), for PROTO and JSON_IETF values;
 *  2. end to end into the local Kafka broker: TARGETS simulated targets (another process, one grpc-js server) each
 *     streaming COUNTERS counters every INTERVAL_S, the initial sync of all of them, a steady period, and a burst;
 *  3. the collector's memory per target.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import Long from 'long';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startGnmiCollector } from '../collector/gnmi/gnmi-collector.js';
import { BUILTIN_RULES } from '../collector/gnmi/normalize/builtin-rules.js';
import { type NormalizedSample, TargetNormalizer } from '../collector/gnmi/normalize/normalizer.js';
import { RuleTable } from '../collector/gnmi/normalize/rule-table.js';
import { parsePath } from '../collector/gnmi/path.js';
import { halvesOf, SampleEncoder } from '../collector/gnmi/publish/sample-encoder.js';
import { createKafkaPublisher } from '../collector/index.js';
import { createCollectorMetrics } from '../collector/metrics.js';
import { startKafka } from '../infra/local/kafka-broker.js';
import { ensureTopics } from '../infra/local/kafka-topics.js';
import { type INotification, SubscribeResponse } from '../schemas/gnmi.js';
import { ALL_TOPICS } from '../schemas/topics.js';

const TARGETS = Number(process.env.BENCH_GNMI_TARGETS ?? 500);
const COUNTERS = Number(process.env.BENCH_GNMI_COUNTERS ?? 50);
const INTERVAL_S = Number(process.env.BENCH_GNMI_INTERVAL_S ?? 10);
const STEADY_S = Number(process.env.BENCH_GNMI_STEADY_S ?? 30);
const BURST_ROUNDS = Number(process.env.BENCH_GNMI_BURST_ROUNDS ?? 20);
const logger = pino({ level: 'warn' });

const NAMES = [
  'total-encap-pkts',
  'total-encap-bytes',
  'bum-encap-pkts',
  'total-decap-pkts',
  'total-decap-bytes',
  'unicast-decap-pkts',
  'bum-decap-pkts',
  'drop-decap-pkts',
  'except-decap-pkts',
];
const P =
  'openconfig:/network-instances/network-instance[name=default]/connection-points/connection-point[connection-point-id=vxlan]/endpoints/endpoint[endpoint-id=nve1]/vxlan/endpoint-peers';

/** One round of a target's counters as encoded SubscribeResponses: a notification per VTEP peer, 10 leaves each. */
function round(target: string, r: number, json: boolean): Buffer[] {
  const out: Buffer[] = [];
  for (let p = 0, left = COUNTERS; left > 0; p++) {
    const prefix = parsePath(`${P}/endpoint-peer[peer-address=10.255.${p >> 8}.${p & 255}]/state`);
    const leaves = [...NAMES.map((n) => `counters/${n}`), 'peer-state'].slice(0, Math.min(10, left));
    left -= leaves.length;
    const n: INotification = {
      timestamp: Long.fromString(String(1_732_480_000_000_000_000n + BigInt(r) * 10_000_000_000n)),
      prefix: { ...prefix, target },
      update: leaves.map((l, i) => ({
        path: { elem: parsePath(l).elem },
        val:
          l === 'peer-state'
            ? { stringVal: 'UP' }
            : json
              ? { jsonIetfVal: Buffer.from(JSON.stringify(String(18446744073709551000n + BigInt(r + i)))) }
              : { uintVal: Long.fromNumber(r * 1000 + i, true) },
      })),
    };
    out.push(Buffer.from(SubscribeResponse.encode({ update: n }).finish()));
  }
  return out;
}

// 1. One core, no I/O.
{
  const table = new RuleTable(BUILTIN_RULES);
  for (const json of [false, true]) {
    const targets = 200;
    const rounds = 40;
    const streams = Array.from({ length: targets }, (_, t) => Array.from({ length: 4 }, (_, r) => round(`sim-${t}`, r, json)));
    const normalizers = streams.map(() => new TargetNormalizer(table, { publishUnmapped: false, vtep: '' }));
    const encoders = streams.map((_, t) => new SampleEncoder({ fabric: 'dc1', device: `sim-${t}`, collectorId: 'bench' }));
    for (const n of normalizers) n.connected();
    const seq = halvesOf(1n);
    const now = halvesOf(1_732_480_000_000_000_000n);
    const pass = (encode: boolean) => {
      let updates = 0;
      let bytes = 0;
      // CPU time of this thread, not wall time: the machine is shared, and a core lost to others is not ours.
      const c0 = process.cpuUsage();
      for (let r = 0; r < rounds; r++) {
        for (let t = 0; t < targets; t++) {
          for (const buf of streams[t]![r % 4]!) {
            const res = SubscribeResponse.decode(buf);
            const out: NormalizedSample[] = [];
            normalizers[t]!.notification(res.update!, out);
            updates += res.update!.update!.length;
            if (encode) for (const s of out) bytes += encoders[t]!.encode(s, now, seq).length;
          }
        }
      }
      const c = process.cpuUsage(c0);
      return { rate: updates / ((c.user + c.system) / 1e6), updates, bytes };
    };
    pass(true); // warm up (JIT, leaf caches)
    // Best of three: the machine is shared, a pass can lose its core for a while.
    const best = (encode: boolean) => [pass(encode), pass(encode), pass(encode)].reduce((a, b) => (b.rate > a.rate ? b : a));
    const dn = best(false);
    const dne = best(true);
    console.log(
      `${json ? 'JSON_IETF' : 'PROTO'} values: decode+normalize ${Math.round(dn.rate).toLocaleString()} updates per CPU-second on one core; ` +
        `+ VtepSample encoding ${Math.round(dne.rate).toLocaleString()} (${(dne.bytes / dne.updates).toFixed(0)} bytes/sample)`,
    );
  }
}

// 2 and 3. End to end into Kafka, simulated targets in another process.
if (process.env.BENCH_SKIP_KAFKA !== '1') {
  const external = process.env.KAFKA_BROKERS?.split(',').filter(Boolean);
  const kafka = external?.length ? undefined : await startKafka({ heap: '1g' });
  const brokers = external?.length ? external : kafka!.brokers;
  await ensureTopics(brokers, ALL_TOPICS, 12);

  const sim: ChildProcess = spawn(process.execPath, ['--import', 'tsx', new URL('./gnmi-sim-targets.ts', import.meta.url).pathname], {
    env: { ...process.env, COUNTERS: String(COUNTERS), INTERVAL_MS: String(INTERVAL_S * 1000) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const simLines = createInterface({ input: sim.stdout! });
  const nextSimLine = () => new Promise<string>((r) => simLines.once('line', r));
  const port = Number((await nextSimLine()).split(' ')[1]);

  const registry = new Registry();
  const publisher = await createKafkaPublisher({ brokers, metrics: createCollectorMetrics(registry), highWaterBytes: 64 * 1024 * 1024, logger });
  const produced = async () => {
    const text = await registry.getSingleMetricAsString('evpnlens_kafka_events_produced_total');
    return [...text.matchAll(/topic="telemetry\.vtep\.v1"} (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  };
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const collector = startGnmiCollector({
    targets: Array.from({ length: TARGETS }, (_, i) => ({
      name: `sim-${i}`,
      address: `127.0.0.1:${port}`,
      fabric: 'bench',
      tls: { enabled: false },
      subscriptions: [{ name: 'vxlan', mode: 'sample' as const, sampleIntervalSeconds: INTERVAL_S, paths: [P] }],
    })),
    publisher,
    registry,
    logger,
    collectorId: 'bench',
  });
  const initial = TARGETS * COUNTERS;
  while (!collector.sessions.every((s) => s.synced) || (await produced()) < initial) await new Promise((r) => setTimeout(r, 20));
  const syncSecs = (Date.now() - t0) / 1000;
  const cpuSync = process.cpuUsage(cpu0);
  console.log(
    `connect + initial sync of ${TARGETS} targets × ${COUNTERS} counters (${initial.toLocaleString()} samples acknowledged by Kafka): ${syncSecs.toFixed(2)} s, ` +
      `collector CPU ${((cpuSync.user + cpuSync.system) / 1e6).toFixed(2)} s`,
  );
  global.gc?.();
  const mem = process.memoryUsage();
  console.log(
    `memory per target after sync: ${Math.round((mem.heapUsed - heap0) / TARGETS).toLocaleString()} bytes of heap, ${Math.round((mem.rss - rss0) / TARGETS).toLocaleString()} bytes of RSS ` +
      `(channel, session, ${COUNTERS} cached leaves; ${(mem.heapUsed / 1e6).toFixed(0)} MB heap in all)`,
  );

  // Steady state: every target sends its counters every INTERVAL_S (from a random phase: wait one interval first).
  await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
  const updates0 = collector.sessions.reduce((a, s) => a + s.updates, 0);
  const produced0 = await produced();
  const cpu1 = process.cpuUsage();
  const t1 = Date.now();
  await new Promise((r) => setTimeout(r, STEADY_S * 1000));
  const steadySecs = (Date.now() - t1) / 1000;
  const cpuSteady = process.cpuUsage(cpu1);
  const updates = collector.sessions.reduce((a, s) => a + s.updates, 0) - updates0;
  console.log(
    `steady ${STEADY_S} s (${TARGETS} targets × ${COUNTERS} counters every ${INTERVAL_S} s = ${((TARGETS * COUNTERS) / INTERVAL_S).toLocaleString()} updates/s offered): ` +
      `${Math.round(updates / steadySecs).toLocaleString()} updates/s received, ${Math.round(((await produced()) - produced0) / steadySecs).toLocaleString()} samples/s acknowledged by Kafka, ` +
      `collector CPU ${((100 * (cpuSteady.user + cpuSteady.system)) / 1e6 / steadySecs).toFixed(1)} % of a core`,
  );

  // Burst: every target sends BURST_ROUNDS rounds back to back, the periodic rounds stopped first and everything they
  // sent received and acknowledged, so the figure counts the burst alone (not the steady traffic beside it).
  sim.stdin!.write('pause\n');
  while ((await nextSimLine()) !== 'PAUSED');
  // Settled: neither what the collector received nor what Kafka acknowledged moved for 500 ms.
  const counts = async () => `${collector.sessions.reduce((a, s) => a + s.updates, 0)}/${await produced()}`;
  for (let last = ''; ; ) {
    const now = await counts();
    if (now === last) break;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
  const burst = TARGETS * COUNTERS * BURST_ROUNDS;
  const produced2 = await produced();
  const cpu2 = process.cpuUsage();
  const t2 = Date.now();
  sim.stdin!.write(`burst ${BURST_ROUNDS}\n`);
  while ((await produced()) < produced2 + burst) await new Promise((r) => setTimeout(r, 20));
  const burstSecs = (Date.now() - t2) / 1000;
  const cpuBurst = process.cpuUsage(cpu2);
  console.log(
    `burst: ${BURST_ROUNDS} rounds of every target at once (${burst.toLocaleString()} updates) decoded, normalized and acknowledged by Kafka in ${burstSecs.toFixed(2)} s = ` +
      `${Math.round(burst / burstSecs).toLocaleString()} updates/s end to end; collector CPU ${((cpuBurst.user + cpuBurst.system) / burst).toFixed(2)} µs/update ` +
      `(the simulated targets share the machine's 2 cores)`,
  );
  const errors = await registry.getSingleMetricAsString('evpnlens_gnmi_errors_total');
  const errorCount = [...errors.matchAll(/} (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  console.log(`errors during the run: ${errorCount}, targets synced: ${collector.sessions.filter((s) => s.synced).length}/${TARGETS}`);

  await collector.stop();
  await publisher.close();
  sim.stdin!.end();
  sim.kill();
  await kafka?.stop();
}
