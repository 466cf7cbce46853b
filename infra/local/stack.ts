/**
 * The whole evpn-lens stack on one machine: a real Kafka broker (or KAFKA_BROKERS), the embedded store (LMDB under
 * dataDir/store; or DynamoDB: DYNAMODB_ENDPOINT, dynamodb.endpoint, AWS credentials, or dynalite with
 * dynamodb.local: dynalite), the functions behind the local event-source runner, the BMP collector, and the API +
 * dashboard. Same handlers as on AWS, through the same store port; only the wiring differs.
 *
 * The stack supervises what it started (supervisor.ts): a broker that dies is started again with back-off, on the same
 * ports and data, and /readyz names what is down ("kafka broker down, restarting (attempt 3)", "DynamoDB store
 * unreachable at …") before it looks at the consumers.
 */
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { type Collector, createKafkaPublisher, type EventPublisher, startCollector } from '../../collector/index.js';
import { IndexReader } from '../../functions/api/index-reader.js';
import { migrateIndex } from '../../functions/mac-index/index-migration.js';
import type { MskHandler } from '../../functions/shared/msk.js';
import { ALL_TOPICS } from '../../schemas/topics.js';
import { consumerMappings } from '../catalog/consumers.js';
import { createFunctionContext, type FunctionContext } from '../catalog/context.js';
import { SCHEDULES } from '../catalog/schedules.js';
import { gnmiCollectorConfig } from '../config/gnmi-schema.js';
import { gnmicInputConfig } from '../config/gnmic-schema.js';
import type { Config } from '../config/schema.js';
import { resolveSinks } from '../config/sinks.js';
import { throwIfAborted, untilAborted } from './abortable.js';
import { resolveApiToken } from './api-auth.js';
import { DASHBOARD_VENDOR_DIRS } from './dashboard-vendor.js';
import { createEventSourceRunner, type EventSourceMapping, type EventSourceRunner } from './event-source-runner.js';
import { registerHealthMetrics } from './health-metrics.js';
import { startHttpServer } from './http-server.js';
import { registerIndexMetrics } from './index-metrics.js';
import { createKafkaAlertPublisher, createKafkaDeadLetterPublisher } from './kafka-alert-publisher.js';
import { type KafkaBroker, type StartKafkaOptions, startKafka } from './kafka-broker.js';
import { ensureTopics } from './kafka-topics.js';
import { localTopicSpecs } from './local-retention.js';
import { createNotifyMetrics } from './notify-metrics.js';
import { everyPeriod } from './periodic-task.js';
import { openStackStore } from './stack-store.js';
import { type BackoffMs, type Supervisor, supervise } from './supervisor.js';

/** What tests and fault drills may reach inside a stack (never configuration: code that embeds the stack only). */
export interface StackTestHooks {
  /** Wraps a function's handler, by function id ('mac-index', 'notify-<sink>'), once for all its mappings (drills inject handler failures). */
  wrapHandler?: (mapping: string, handler: MskHandler) => MskHandler;
  /** Wraps the collector's publisher (drills' broken variants skip an event). */
  wrapPublisher?: (publisher: EventPublisher) => EventPublisher;
  /** Back-off of the broker's restarts. */
  brokerRestartBackoffMs?: BackoffMs;
  /** Back-off of the event-source runner's retries of a failed batch. */
  retryBackoffMs?: BackoffMs;
  /** How long a consumer may make no progress with records waiting before it is started again (default 30 s). */
  consumerStallMs?: number;
}

export interface LocalStack {
  apiUrl: string;
  bmpAddress: string;
  kafkaBrokers: string[];
  dynamodbEndpoint: string;
  collector: Collector;
  runner: EventSourceRunner;
  /** The functions as built for this stack (tests run a health tick through it). */
  fns: FunctionContext;
  /** The embedded broker's supervisor (undefined with an external cluster). */
  broker: Supervisor<KafkaBroker> | undefined;
  /** Fault hooks for tests and drills. */
  faults: {
    /** The embedded store refuses connections for `ms` (undefined with an external store). */
    storeOutage?: (ms: number) => Promise<void>;
    /**
     * Stops the collector (its in-memory RIBs are lost, routers' sessions cut), runs `whileDown`, and starts a new one on
     * the same port.
     */
    restartCollector(whileDown?: () => Promise<void>): Promise<Collector>;
  };
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');

/** Shutdown deadlines per part, within the CLI's 5 s bound for SIGINT/SIGTERM. */
const STOP_DEADLINE_MS = { bmp: 500, publisherFlush: 1_500, broker: 2_000 } as const;

/**
 * A store without TTL (the embedded one, dynalite): expired items are deleted a minute after start, then every
 * dynamodb.ttlSweepMinutes. Returns the stop function.
 */
function startTtlSweeps(sweep: (signal: AbortSignal) => Promise<unknown>, cfg: Config, log: Logger): () => Promise<void> {
  const abort = new AbortController();
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      const t0 = Date.now();
      running = sweep(abort.signal)
        .then((r) => log.debug({ result: r, ms: Date.now() - t0 }, 'TTL sweep: expired items deleted'))
        .catch((err: unknown) => {
          if (!abort.signal.aborted) log.warn({ err }, 'TTL sweep failed; trying again at the next one');
        })
        .finally(() => {
          if (!abort.signal.aborted) schedule(cfg.dynamodb.ttlSweepMinutes * 60_000);
        });
    }, ms);
    timer.unref();
  };
  schedule(Math.min(60_000, cfg.dynamodb.ttlSweepMinutes * 60_000));
  return async () => {
    abort.abort();
    clearTimeout(timer);
    await withDeadline(running, 500);
  };
}

const portOf = (k: KafkaBroker) => Number(k.brokers[0]!.split(':').pop());

/** Waits for `p`, but no longer than `ms` (what is left is abandoned: a stop must end). */
async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (t = setTimeout(r, ms)))]);
  clearTimeout(t);
}

/**
 * The runner's mappings: the catalog's (infra/catalog/consumers.ts), the same list the CDK app deploys, one consumer
 * per function and topic in the same consumer group as on AWS (the runner's group prefix is the table prefix, so
 * `prefix + name` is the catalog's group). Each function's handler is built and wrapped once, shared by its mappings.
 */
export function localMappings(cfg: Config, fns: FunctionContext, wrap: (fnId: string, h: MskHandler) => MskHandler): EventSourceMapping[] {
  const prefix = cfg.dynamodb.tablePrefix;
  const es = cfg.eventSource;
  const handlers = new Map<string, MskHandler>();
  return consumerMappings({
    prefix,
    sinks: fns.notifiers().map((n) => n.sink.name),
    overrides: (row) =>
      row.perSink
        ? undefined
        : {
            ...(es.batchSize === undefined ? {} : { batchSize: es.batchSize }),
            ...(es.batchingWindowMs === undefined ? {} : { batchingWindowSeconds: es.batchingWindowMs / 1000 }),
            ...(es.startingPosition === undefined ? {} : { startingPosition: es.startingPosition }),
          },
  }).map((m) => {
    let handler = handlers.get(m.fnId);
    if (!handler) handlers.set(m.fnId, (handler = wrap(m.fnId, fns.consumer(m.row.id, m.sink))));
    return {
      name: m.group.slice(prefix.length),
      topics: [m.topic],
      handler,
      batchSize: m.consumer.batchSize,
      batchingWindowMs: Math.round(m.consumer.batchingWindowSeconds * 1000),
      startingPosition: m.consumer.startingPosition,
    };
  });
}

/**
 * `signal` cancels the start at any step (Ctrl-C during start-up): what has started is stopped, and the start rejects with
 * StartAbortedError.
 */
export async function startLocalStack(cfg: Config, o: { logger: Logger; hooks?: StackTestHooks; signal?: AbortSignal }): Promise<LocalStack> {
  const log = o.logger;
  const signal = o.signal;
  const startedAt = new Date();
  const step = <T>(p: Promise<T>, what: string) => untilAborted(p, signal, what);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => log.warn({ err }, 'error while stopping'));
  };
  try {
    // Secrets from the environment first: a missing one stops the start before anything runs, naming its key.
    const apiToken = resolveApiToken(cfg, process.env);
    const sinks = resolveSinks(cfg, process.env);
    const dataDir = resolve(cfg.dataDir);
    // Kafka: a cluster named in the configuration / KAFKA_BROKERS, else the embedded broker.
    let brokers = cfg.kafka.brokers;
    let broker: Supervisor<KafkaBroker> | undefined;
    if (!brokers?.length) {
      const opts: StartKafkaOptions = {
        dataDir: join(dataDir, 'kafka'),
        partitions: cfg.kafka.partitions,
        log: (l) => log.info(l),
        stopTimeoutMs: STOP_DEADLINE_MS.broker,
        // The byte cap is shared by the evpn-lens topics by their volumes (local-retention.ts, set per topic below);
        // the broker's default per partition covers any other topic (gnmic's) with an equal share.
        retention: {
          hours: cfg.kafka.localRetention.hours,
          bytesPerPartition: Math.floor(cfg.kafka.localRetention.maxBytes / (ALL_TOPICS.length * cfg.kafka.partitions)),
        },
      };
      broker = await supervise({
        name: 'kafka broker',
        // A restart keeps the ports (every client has them) and the data.
        start: (again) =>
          startKafka(again && broker ? { ...opts, port: portOf(broker.current()), controllerPort: broker.current().controllerPort } : { ...opts, signal }),
        exited: (k) => k.exited,
        stop: (k) => k.stop(),
        backoffMs: o.hooks?.brokerRestartBackoffMs,
        logger: log,
      });
      const b = broker;
      stops.push(() => b.stop());
      brokers = b.current().brokers;
    }
    // gnmic's topic too when that input is on (gnmic may start after the stack; the consumer needs the topic).
    const gnmicTopics = cfg.collector.gnmic.enabled ? [cfg.collector.gnmic.topic] : [];
    // On the embedded broker each topic's byte cap follows its volume (a cluster named in `brokers` keeps its own).
    const topicSpecs = broker ? localTopicSpecs(ALL_TOPICS, cfg.kafka.localRetention.maxBytes, cfg.kafka.partitions) : [...ALL_TOPICS];
    await step(ensureTopics(brokers, [...topicSpecs, ...gnmicTopics], cfg.kafka.partitions), 'creating the Kafka topics');

    // The store: DynamoDB at an endpoint, or on AWS when credentials are present, else the embedded store on disk.
    throwIfAborted(signal, 'local stack start');
    const store = await openStackStore(cfg, dataDir, log);
    stops.push(store.stop);
    const { endpoint, tables } = store;
    await step(migrateIndex(tables.index, log), 'index migration');

    // Functions behind the event-source runner.
    const alerts = await step(createKafkaAlertPublisher(brokers), 'connecting the alert publisher');
    stops.push(alerts.close);
    // The functions, built as the Lambda entry points build them (infra/catalog/context.ts).
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'evpnlens_' });
    const deadLetter = sinks.length ? await createKafkaDeadLetterPublisher(brokers) : undefined;
    if (deadLetter) stops.push(deadLetter.close);
    let apiUrl = `http://${cfg.api.listen.host}:${cfg.api.listen.port}`;
    const fns = createFunctionContext({
      cfg,
      tables,
      logger: log,
      alertPublisher: () => alerts,
      startedAt,
      readiness: async () => {
        // What is down comes first: the consumers cannot join while the broker is away.
        const brokerDown = broker?.problem();
        if (brokerDown) return { ready: false, detail: brokerDown };
        const storeDown = await store.probe();
        if (storeDown) return { ready: false, detail: storeDown };
        return runner.isReady() ? { ready: true } : { ready: false, detail: 'the event-source consumers have not joined their group yet' };
      },
      sinks,
      deadLetter: () => deadLetter,
      notifyMetrics: createNotifyMetrics(registry),
      dashboardUrl: () => cfg.alerts.dashboardUrl ?? apiUrl,
      // Only DynamoDB on AWS has TTL: elsewhere the health tick deletes expired minute items and counter buckets itself.
      sweepExpired: !store.onAws,
      // No round trips to hide on the embedded store: the pool sizes its group commits instead.
      concurrency: !endpoint && !store.onAws ? cfg.dynamodb.embeddedConcurrency : undefined,
    });
    const wrap = o.hooks?.wrapHandler ?? ((_m: string, h: MskHandler) => h);
    const runner = createEventSourceRunner({
      brokers,
      retryBackoffMs: o.hooks?.retryBackoffMs,
      stallMs: o.hooks?.consumerStallMs,
      // Consumer groups are named after the table prefix: two stacks on one cluster keep separate offsets.
      groupPrefix: cfg.dynamodb.tablePrefix,
      sessionTimeoutMs: 10_000,
      // A local invocation takes well under this; a stuck member replaced by the watchdog no longer delays recovery by 60 s.
      rebalanceTimeoutMs: 15_000,
      logger: log.child({ component: 'event-source' }),
      mappings: localMappings(cfg, fns, wrap),
    });
    // Its stop is known before its start: consumers still joining when a signal comes are disconnected too.
    stops.push(runner.stop);
    await step(runner.start(), 'joining the event-source consumer groups');
    // The periodic tasks (on AWS: EventBridge Scheduler) on timers; infra/catalog/schedules.ts lists them.
    for (const task of SCHEDULES) {
      if (task.only === 'aws') continue;
      const timer = everyPeriod(
        () => task.run(fns, { gauge: () => undefined }),
        task.periodMs(cfg),
        (err: unknown) => log.warn({ err, task: task.id }, 'scheduled task failed'),
      );
      stops.push(async () => timer.stop());
    }
    // Alerts a stopped stack left active are re-evaluated at once, not a sweep period later: a flap that went quiet
    // while the stack was down clears now; one that may still be going on stays active, marked raisedBeforeRestart.
    const reevaluation = fns
      .macIndex()
      .sweep()
      .catch((err: unknown) => log.warn({ err }, 'alert re-evaluation at start failed; the periodic sweep will do it'));
    stops.push(() => withDeadline(reevaluation, 500));
    // DynamoDB's TTL, which the embedded store and dynalite lack: expired move history and alerts are deleted (on AWS,
    // DynamoDB does it).
    if (store.sweepExpired) stops.push(startTtlSweeps(store.sweepExpired, cfg, log));

    // The collector has a registry of its own, so that a restarted one (a fault drill) registers its metrics afresh.
    const registries = [registry, new Registry()];
    const startStackCollector = async (listen: { host: string; port: number }) => {
      const own = new Registry();
      const c = await startCollector({
        listen,
        allow: cfg.collector.bmp.allow === 'any' ? [] : cfg.collector.bmp.allow,
        maxSessions: cfg.collector.bmp.maxSessions,
        fabrics: cfg.fabrics,
        collectorId: cfg.collector.id,
        resyncQuietMs: cfg.collector.bmp.resyncQuietSeconds * 1000,
        maxMessageBytes: cfg.collector.bmp.maxMessageBytes,
        gnmi: gnmiCollectorConfig(cfg.collector.gnmi),
        gnmic: cfg.collector.gnmic.enabled
          ? {
              ...gnmicInputConfig(cfg.collector.gnmic, `${cfg.dynamodb.tablePrefix}${cfg.kafka.clientId}`, cfg.fabrics[0]?.name ?? ''),
              kafka: new Kafka({ clientId: `${cfg.kafka.clientId}-gnmic`, brokers: brokers!, logLevel: logLevel.NOTHING }),
              normalize: cfg.collector.gnmi.normalize,
            }
          : undefined,
        registry: own,
        logger: log.child({ component: 'collector' }),
        publisher: async (metrics) =>
          (o.hooks?.wrapPublisher ?? ((p: EventPublisher) => p))(
            await createKafkaPublisher({
              brokers: brokers!,
              clientId: `${cfg.kafka.clientId}-collector`,
              maxEventsPerRecord: cfg.kafka.maxEventsPerRecord,
              maxRecordBytes: cfg.kafka.maxRecordBytes,
              compression: cfg.kafka.compression,
              closeTimeoutMs: STOP_DEADLINE_MS.publisherFlush,
              metrics,
              logger: log.child({ component: 'kafka-publisher' }),
            }),
          ),
      });
      registries[1] = own;
      return c;
    };
    const stopCollector = async (c: Collector) => {
      await withDeadline(c.stop(), STOP_DEADLINE_MS.bmp);
      await c.publisher.close();
    };
    throwIfAborted(signal, 'local stack start');
    let collector = await startStackCollector(cfg.collector.bmp.listen);
    // Stopped in dependency order (stops run in reverse): the BMP listener, its sessions and timers, then the publisher
    // (flushed with a deadline), then the consumers, then the broker and the store.
    stops.push(() => stopCollector(collector));
    new Gauge({
      name: 'evpnlens_event_source_lag',
      help: 'Records not yet processed by the functions, per mapping',
      labelNames: ['mapping'],
      registers: [registry],
      async collect() {
        for (const [m, lag] of Object.entries(await runner.lag().catch(() => ({})))) this.set({ mapping: m }, lag);
      },
    });

    registerIndexMetrics(
      registry,
      new IndexReader(tables.index),
      cfg.fabrics.map((f) => f.name),
    );
    registerHealthMetrics(registry, fns.health().reader, fns.healthView(), () => cfg.fabrics.map((f) => f.name));

    // API + dashboard.
    const api = fns.api();
    const http = await startHttpServer({
      host: cfg.api.listen.host,
      port: cfg.api.listen.port,
      api,
      registries,
      auth: apiToken === undefined ? 'none' : { token: apiToken },
      maxBodyBytes: cfg.api.maxBodyBytes,
      dashboardDir: join(repoRoot, 'dashboard'),
      vendorDirs: DASHBOARD_VENDOR_DIRS,
    });
    stops.push(http.close);
    apiUrl = http.url;
    throwIfAborted(signal, 'local stack start');

    return {
      apiUrl: http.url,
      bmpAddress: `${collector.address.host}:${collector.address.port}`,
      kafkaBrokers: brokers,
      dynamodbEndpoint: endpoint ?? (store.onAws ? 'aws' : 'embedded'),
      get collector() {
        return collector;
      },
      runner,
      fns,
      broker,
      faults: {
        storeOutage: store.outage,
        async restartCollector(whileDown) {
          const address = collector.address;
          await stopCollector(collector);
          await whileDown?.();
          collector = await startStackCollector(address);
          return collector;
        },
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
