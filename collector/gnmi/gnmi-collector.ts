/**
 * The gNMI dial-in collector: one TargetSession per target of this task's shard, their samples encoded and published
 * to telemetry.vtep.v1 (partition key: the device), per-target metrics on the registry.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ITargetEvent } from '../../schemas/events.js';
import { TOPICS } from '../../schemas/topics.js';
import type { EventPublisher } from '../publish/event-publisher.js';
import { nowNs, TargetSession } from './client/target-session.js';
import { DEFAULT_TIMERS, type GnmiCollectorConfig, type GnmiTarget, type GnmiTimers } from './config.js';
import { createGnmiMetrics, type GnmiMetrics } from './gnmi-metrics.js';
import { BUILTIN_RULES } from './normalize/builtin-rules.js';
import { TargetNormalizer } from './normalize/normalizer.js';
import { RuleTable } from './normalize/rule-table.js';
import { SampleEncoder, type U64Halves } from './publish/sample-encoder.js';
import { targetsOfShard } from './shard.js';

export interface GnmiCollectorOptions extends GnmiCollectorConfig {
  publisher: EventPublisher;
  registry: Registry;
  logger: Logger;
  collectorId: string;
  /** Sequence numbers shared with the rest of the collector (monotonic per collector). */
  nextSeq?: () => U64Halves;
  /** Dial nothing until `assign` names the targets (a membership decides: collector/gnmi/slot-membership.ts). */
  idle?: boolean;
}

export interface GnmiCollector {
  readonly sessions: readonly TargetSession[];
  readonly metrics: GnmiMetrics;
  /** Dials the targets (of this shard) that `active` accepts and hangs up on the others. */
  assign(active: (t: GnmiTarget) => boolean): Promise<void>;
  stop(): Promise<void>;
}

/** A collector-wide sequence as 32-bit halves: start time (ms) in the high bits, a counter below (as the BMP side). */
export function sequence(start = BigInt(Date.now()) << 20n): () => U64Halves {
  let lo = Number(start & 0xffff_ffffn);
  let hi = Number(start >> 32n);
  return () => {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
    return { lo, hi };
  };
}

export function startGnmiCollector(o: GnmiCollectorOptions): GnmiCollector {
  const timers: GnmiTimers = { ...DEFAULT_TIMERS, ...o.timers };
  const table = new RuleTable([...(o.normalize ?? []), ...BUILTIN_RULES]);
  const sessions: TargetSession[] = [];
  const metrics = createGnmiMetrics(o.registry, () => sessions);
  const nextSeq = o.nextSeq ?? sequence();
  const topic = TOPICS.vtepTelemetry;
  const mine = targetsOfShard(o.targets, o.shard);
  if (o.shard && o.shard.count > 1) {
    o.logger.info(
      { shard: o.shard, targets: mine.length, of: o.targets.length },
      `gNMI shard ${o.shard.index}/${o.shard.count}: dialing ${mine.length} of ${o.targets.length} targets`,
    );
  }

  const makeSession = (target: GnmiTarget): TargetSession => {
    const encoder = new SampleEncoder({ fabric: target.fabric, device: target.name, collectorId: o.collectorId });
    const label = { target: target.name };
    const updates = metrics.updates.labels(label);
    const samples = metrics.samples.labels(label);
    const reconnects = metrics.reconnects.labels(label);
    // Every target shows on /metrics from the start, at zero.
    updates.inc(0);
    samples.inc(0);
    reconnects.inc(0);
    const session = new TargetSession({
      target,
      normalizer: new TargetNormalizer(table, { publishUnmapped: Boolean(o.publishUnmapped), vtep: target.vtep ?? '' }),
      timers,
      maxMessageBytes: o.maxMessageBytes ?? 64 * 1024 * 1024,
      logger: o.logger,
      sink: {
        samples(list, receiveNs, refreshMs) {
          let ok = true;
          for (const s of list) ok = o.publisher.enqueue(topic, target.name, encoder.encode(s, receiveNs, nextSeq(), refreshMs)) && ok;
          samples.inc(list.length);
          return ok;
        },
        event(ev: ITargetEvent) {
          o.publisher.enqueue(topic, target.name, encoder.encodeTargetEvent(ev, nowNs(), nextSeq()));
        },
        whenDrained: () => o.publisher.whenDrained(),
        updates: (n) => updates.inc(n),
        error: (kind) => metrics.errors.inc({ target: target.name, kind }),
        reconnect: () => reconnects.inc(),
      },
    });
    return session;
  };
  const assign = async (active: (t: GnmiTarget) => boolean): Promise<void> => {
    const leaving = sessions.filter((x) => !active(mine.find((t) => t.name === x.name)!));
    for (const x of leaving) sessions.splice(sessions.indexOf(x), 1);
    await Promise.all(leaving.map((x) => x.stop()));
    const joining = mine.filter((t) => active(t) && !sessions.some((x) => x.name === t.name)).map(makeSession);
    sessions.push(...joining);
    for (const x of joining) x.start();
    if (leaving.length || joining.length)
      o.logger.info(
        { dialing: sessions.map((x) => x.name), added: joining.map((x) => x.name), dropped: leaving.map((x) => x.name) },
        `gNMI collector dialing ${sessions.length} targets`,
      );
  };
  if (!o.idle) {
    sessions.push(...mine.map(makeSession));
    for (const x of sessions) x.start();
    o.logger.info({ targets: sessions.length }, `gNMI collector dialing ${sessions.length} targets`);
  }

  return {
    sessions,
    metrics,
    assign,
    async stop() {
      await Promise.all(sessions.splice(0).map((s) => s.stop()));
    },
  };
}
