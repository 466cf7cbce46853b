/**
 * The local stand-in for Lambda's MSK event source mapping: kafkajs consumer groups deliver MSK-shaped batches to the
 * same handlers that run on AWS.
 *
 * What it keeps from the real mapping:
 * - one consumer group per mapping; an invocation carries records of several partitions (and topics), keyed by
 *   `${topic}-${partition}`; a partition's records reach the handler in offset order, one invocation at a time;
 * - batchSize caps records per invocation; batchingWindowMs lets the broker wait that long to fill a fetch;
 * - a thrown error retries the same records (with backoff) until it succeeds: no record is skipped, and offsets are
 *   committed only after the handler returned;
 * - a partial batch response (ReportBatchItemFailures) is applied per partition: a partition it names commits the
 *   records before its lowest named offset and redelivers from there; a partition it does not name is done; an
 *   identifier that names no record of the batch (empty, malformed, another partition's offset) fails the whole batch
 *   (batch-checkpoints.ts).
 *
 * What it does not do: retry limits, maximum record age, split-batch-on-error and on-failure destinations (AWS's
 * defaults are infinite retries and none of these, which is what evpn-lens deploys).
 */
import { type Consumer, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogCreator } from '../../collector/publish/kafka-logger.js';
import type { Context, MskHandler } from '../../functions/shared/msk.js';
import { BatchAssembler } from './batch-assembler.js';
import { commitGroupOffsets } from './kafka-group-offsets.js';

export interface EventSourceMapping {
  name: string;
  topics: string[];
  handler: MskHandler;
  batchSize?: number;
  batchingWindowMs?: number;
  /** The invocation's time limit, passed to the handler as the Lambda context's getRemainingTimeInMillis (default 120 s). */
  timeoutMs?: number;
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /**
   * Partitions handled at once, and so gathered into one invocation at most (each still strictly in order); default 4.
   * (kafkajs with as many concurrent partitions as the topics have lost its group membership under load here.)
   */
  concurrency?: number;
  /** How long an invocation waits for more partitions to join before it runs; default 10 ms. */
  gatherMs?: number;
}

export interface EventSourceRunnerOptions {
  brokers: string[];
  mappings: EventSourceMapping[];
  logger?: Logger;
  clientId?: string;
  groupPrefix?: string;
  retryBackoffMs?: { initial: number; max: number };
  /**
   * Kafka consumer session timeout. After a stack was killed, its dead members hold the group's next join for this
   * long; a local stack that cannot pause for seconds uses a shorter one than kafkajs's 30 s.
   */
  sessionTimeoutMs?: number;
  /**
   * How long a rebalance waits for every member to rejoin (kafkajs: 60 s). A member that cannot rejoin (a consumer left
   * stuck by a broker restart and replaced by the stall watchdog) holds its replacement's join for this long.
   */
  rebalanceTimeoutMs?: number;
  /**
   * A mapping with records waiting that completed no invocation for this long is started again (a consumer left
   * stuck by a broker restart); default 30 s.
   */
  stallMs?: number;
}

export interface MappingStats {
  invocations: number;
  records: number;
  failures: number;
  lastError?: string;
}

export interface EventSourceRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  isReady(): boolean;
  stats(): Record<string, MappingStats>;
  /** Records not yet committed, per mapping. */
  lag(): Promise<Record<string, number>>;
}

const HEARTBEAT_MS = 3_000;
/** An invocation's time limit when the mapping names none: the deployed functions' Lambda timeout. */
const DEFAULT_TIMEOUT_MS = 120_000;
/** Heartbeat errors after which this member must rejoin (Kafka protocol error names, as kafkajs types them). */
const GROUP_GONE = new Set(['UNKNOWN_MEMBER_ID', 'REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

export function createEventSourceRunner(opts: EventSourceRunnerOptions): EventSourceRunner {
  // stop() ends a retry's back-off at once (kafkajs's disconnect waits for the batch in hand; isRunning() then ends it).
  const stopping = new AbortController();
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const onAbort = () => {
        clearTimeout(t);
        r();
      };
      // The listener goes with the timer: back-offs repeat for as long as a store is down.
      const t = setTimeout(() => {
        stopping.signal.removeEventListener('abort', onAbort);
        r();
      }, ms);
      stopping.signal.addEventListener('abort', onAbort, { once: true });
    });
  const kafka = new Kafka({
    clientId: opts.clientId ?? 'evpn-lens-esm',
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    // After stop() a consumer still joining fails against the stopping broker: that is the stop, not an error.
    logCreator: kafkaLogCreator(opts.logger, () => stopping.signal.aborted),
  });
  const groupPrefix = opts.groupPrefix ?? 'evpn-lens-';
  const backoff = opts.retryBackoffMs ?? { initial: 100, max: 5_000 };
  const consumers: { mapping: EventSourceMapping; consumer: Consumer; joined: boolean }[] = [];
  const stats: Record<string, MappingStats> = {};
  let running = false;
  const stallMs = opts.stallMs ?? 30_000;
  const progressAt = new Map<string, number>();
  const restarting = new Set<string>();
  const inFlight = new Map<string, number>();
  let stallTimer: NodeJS.Timeout | undefined;

  /**
   * LATEST for a group that has no committed offsets yet: commit the current end offsets before it joins, so that
   * "latest" means "at start()" — not "whenever the first fetch resolves it", which would drop what arrives in between.
   */
  async function pinNewGroupToLatest(groupId: string, topics: string[]): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
        const known = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        const ends = await admin.fetchTopicOffsets(topic);
        const partitions = ends.filter((e) => (known.get(e.partition) ?? -1) < 0).map((e) => ({ partition: e.partition, offset: e.high }));
        await commitGroupOffsets(kafka, groupId, topic, partitions);
      }
    } finally {
      await admin.disconnect();
    }
  }

  async function runMapping(m: EventSourceMapping): Promise<void> {
    const batchSize = m.batchSize ?? 100;
    const windowMs = m.batchingWindowMs ?? 0;
    const consumer = kafka.consumer({
      groupId: `${groupPrefix}${m.name}`,
      // The batching window: the broker holds a fetch until it has minBytes or the window has passed. Without a window
      // a fetch returns as soon as one record is there (minBytes 1), so the long wait only spares idle polling.
      maxWaitTimeInMs: windowMs > 0 ? windowMs : 500,
      minBytes: windowMs > 0 ? 1024 * 1024 : 1,
      maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: opts.rebalanceTimeoutMs ?? 60_000,
      heartbeatInterval: HEARTBEAT_MS,
    });
    const entry = { mapping: m, consumer, joined: false };
    consumers.push(entry);
    stats[m.name] ??= { invocations: 0, records: 0, failures: 0 };
    const st = stats[m.name]!;
    consumer.on(consumer.events.GROUP_JOIN, () => (entry.joined = true));
    consumer.on(consumer.events.CRASH, (e) => {
      entry.joined = false;
      // A consumer a restart already replaced (disconnected mid-batch, it crashes with "Consumer group was not
      // initialized") is not the mapping's any more: restarting the mapping for it would throw away the replacement's
      // invocation in hand (its records delivered again in full).
      if (!consumers.includes(entry) || stopping.signal.aborted) return;
      const level = e.payload.restart ? 'info' : 'error';
      opts.logger?.[level](
        { mapping: m.name, err: e.payload.error.message },
        e.payload.restart ? 'event source consumer restarting after a retriable error' : 'event source consumer crashed; starting it again',
      );
      // kafkajs gives up on errors it does not class as retriable (a broker gone for long): the mapping starts afresh
      // from its committed offsets, as Lambda's poller would, until stop().
      if (!e.payload.restart) void restartMapping(entry);
    });
    await consumer.connect();
    // A stop() while this consumer was still connecting (Ctrl-C during start-up) disconnected it too early to count:
    // it must not go on to join its group against a broker about to stop, retrying in the background.
    const stoppedMeanwhile = async () => {
      if (running) return false;
      await consumer.disconnect().catch(() => undefined);
      return true;
    };
    if (await stoppedMeanwhile()) return;
    if (m.startingPosition === 'LATEST') {
      // The group coordinator may still be moving or loading right after the broker starts: retriable, so retry.
      for (let attempt = 0; ; attempt++) {
        try {
          await pinNewGroupToLatest(`${groupPrefix}${m.name}`, m.topics);
          break;
        } catch (err) {
          if (attempt >= 20 || (err as { retriable?: boolean }).retriable === false) throw err;
          await sleep(250);
          if (!running) break;
        }
      }
      if (await stoppedMeanwhile()) return;
    }
    for (const topic of m.topics) await consumer.subscribe({ topic, fromBeginning: (m.startingPosition ?? 'TRIM_HORIZON') === 'TRIM_HORIZON' });
    const assembler = new BatchAssembler({
      batchSize,
      gatherMs: m.gatherMs ?? 10,
      brokers: opts.brokers,
      invoke: async (event) => {
        // An invocation in flight is progress (a handler may take long); the watchdog looks for none at all.
        inFlight.set(m.name, (inFlight.get(m.name) ?? 0) + 1);
        try {
          // The Lambda context's deadline contract: the handler hands back what it cannot finish in time.
          const deadline = Date.now() + (m.timeoutMs ?? DEFAULT_TIMEOUT_MS);
          return await m.handler(event, { getRemainingTimeInMillis: () => deadline - Date.now() } as Context);
        } finally {
          inFlight.set(m.name, (inFlight.get(m.name) ?? 1) - 1);
          progressAt.set(m.name, Date.now());
        }
      },
      onInvoked: (event, outcome) => {
        st.invocations++;
        progressAt.set(m.name, Date.now());
        if (outcome.ok && outcome.failedPartitions === 0) return;
        st.failures++;
        if (!outcome.ok) {
          st.lastError = outcome.err instanceof Error ? outcome.err.message : String(outcome.err);
          opts.logger?.warn({ mapping: m.name, partitions: Object.keys(event.records), err: outcome.err }, 'handler failed; retrying its records');
        }
      },
    });
    if (await stoppedMeanwhile()) return;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // The partitions handled at once join the same invocation, as the MSK mapping's multi-partition events.
      partitionsConsumedConcurrently: m.concurrency ?? 4,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const { topic, partition } = batch;
        let pending: KafkaMessage[] = batch.messages;
        // Backoff grows across failed attempts at the same records, partial failures included.
        let attempt = 0;
        const backOff = async () => {
          const delay = Math.min(backoff.max, backoff.initial * 2 ** attempt++);
          await heartbeat(); // throws on a rebalance: kafkajs rejoins, uncommitted records are fetched again
          await sleep(delay);
        };
        while (pending.length > 0) {
          if (!isRunning() || isStale()) return; // a rebalance or stop: uncommitted records are fetched again
          // An invocation may outlast the session timeout (a batch of packed records is many events): keep the member
          // alive meanwhile, or the group expels it and its commit fails ("the coordinator is not aware of this member").
          const beat = setInterval(
            () =>
              void heartbeat().catch((err: { type?: string }) => {
                // Expelled, or the group rebalancing: beating again cannot help (each try logs an error in kafkajs);
                // the member rejoins once this invocation returns and the loop sees isStale().
                if (err.type !== undefined && GROUP_GONE.has(err.type)) clearInterval(beat);
              }),
            HEARTBEAT_MS,
          );
          const outcome = await assembler.submit(topic, partition, pending.slice(0, batchSize)).finally(() => clearInterval(beat));
          if (outcome.kind === 'failed') {
            await backOff();
            continue;
          }
          const { taken, checkpoint, handedBack } = outcome;
          const done = checkpoint === undefined ? taken : taken.filter((x) => Number(x.offset) < checkpoint);
          if (done.length > 0) {
            const next = (BigInt(done[done.length - 1]!.offset) + 1n).toString();
            await consumer.commitOffsets([{ topic, partition, offset: next }]);
            // kafkajs fetches again from the last resolved offset: resolve what was committed, never more.
            resolveOffset(done[done.length - 1]!.offset);
            st.records += done.length;
          }
          pending = pending.slice(done.length);
          if (checkpoint !== undefined && !handedBack) {
            await backOff(); // then redeliver from the failed record
            continue;
          }
          // Done, or handed back before the deadline (progress): the rest is polled again at once.
          attempt = 0;
          await heartbeat(); // throws on a rebalance: kafkajs rejoins, uncommitted records are fetched again
        }
      },
    });
  }

  async function restartMapping(entry: { mapping: EventSourceMapping }): Promise<void> {
    if (restarting.has(entry.mapping.name)) return;
    restarting.add(entry.mapping.name);
    try {
      await restartMappingNow(entry);
    } finally {
      restarting.delete(entry.mapping.name);
      progressAt.set(entry.mapping.name, Date.now());
    }
  }

  /** The stall watchdog: a mapping with records waiting and no invocation for `stallMs` is started again. */
  let checking = false;
  async function checkStalls(): Promise<void> {
    // One check at a time: lag() can take seconds (a broker just restarted), and two overlapping checks that both saw a
    // mapping stalled restarted it twice, the second restart replacing the first one's consumer.
    if (checking) return;
    checking = true;
    try {
      await checkStallsNow();
    } finally {
      checking = false;
    }
  }

  async function checkStallsNow(): Promise<void> {
    const isStalled = (m: EventSourceMapping, now: number) =>
      !restarting.has(m.name) && !inFlight.get(m.name) && now - (progressAt.get(m.name) ?? now) >= stallMs;
    const now = Date.now();
    if (!opts.mappings.some((m) => isStalled(m, now))) return;
    const lag = await runner.lag().catch(() => undefined);
    if (!lag || !running) return;
    // Judged again after the lag query: a mapping that was restarted or made progress meanwhile is not stalled.
    for (const m of opts.mappings.filter((x) => isStalled(x, now))) {
      if ((lag[m.name] ?? 0) === 0) {
        progressAt.set(m.name, Date.now());
        continue;
      }
      opts.logger?.warn(
        { mapping: m.name, waiting: lag[m.name], stalledMs: now - (progressAt.get(m.name) ?? now) },
        'event source consumer made no progress with records waiting; starting it again',
      );
      void restartMapping({ mapping: m });
    }
  }

  async function restartMappingNow(entry: { mapping: EventSourceMapping }): Promise<void> {
    for (let attempt = 0; running; attempt++) {
      await sleep(Math.min(backoff.max, backoff.initial * 2 ** attempt));
      if (!running) return;
      for (const c of consumers.filter((x) => x.mapping === entry.mapping)) {
        consumers.splice(consumers.indexOf(c), 1);
        // kafkajs's disconnect waits for the batch in hand, which may wait for the group it was expelled from: bounded.
        await Promise.race([c.consumer.disconnect().catch(() => undefined), sleep(5_000)]);
      }
      try {
        await runMapping(entry.mapping);
        opts.logger?.warn({ mapping: entry.mapping.name, attempt }, 'event source consumer started again');
        return;
      } catch (err) {
        opts.logger?.warn(
          { mapping: entry.mapping.name, attempt, err: err instanceof Error ? err.message : String(err) },
          'event source consumer could not start again; retrying',
        );
      }
    }
  }

  const runner: EventSourceRunner = {
    async start() {
      running = true;
      for (const m of opts.mappings) progressAt.set(m.name, Date.now());
      stallTimer = setInterval(() => void checkStalls(), Math.max(1_000, Math.floor(stallMs / 3)));
      stallTimer.unref();
      // Side by side: pinning a new group to LATEST takes a few seconds per topic (kafkajs joins the group to commit).
      await Promise.all(opts.mappings.map((m) => runMapping(m)));
    },
    async stop() {
      running = false;
      clearInterval(stallTimer);
      stopping.abort();
      await Promise.all(consumers.map((c) => c.consumer.disconnect().catch(() => undefined)));
    },
    isReady: () => running && consumers.length === opts.mappings.length && consumers.every((c) => c.joined),
    stats: () => structuredClone(stats),
    async lag() {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const out: Record<string, number> = {};
        for (const m of opts.mappings) {
          let total = 0;
          for (const topic of m.topics) {
            const ends = await admin.fetchTopicOffsets(topic);
            const committed = await admin.fetchOffsets({ groupId: `${groupPrefix}${m.name}`, topics: [topic] });
            const byPart = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
            for (const e of ends) {
              const c = byPart.get(e.partition) ?? -1;
              total += Math.max(0, Number(e.high) - (c < 0 ? Number(e.low) : c));
            }
          }
          out[m.name] = total;
        }
        return out;
      } finally {
        await admin.disconnect();
      }
    },
  };
  return runner;
}
