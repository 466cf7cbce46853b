/**
 * The evpn-lens collector: a BMP station publishing EVPN route and session events to Kafka, and a gNMI dial-in client
 * publishing VTEP telemetry (collector/gnmi). `startCollector` wires the TCP server, the sessions' shared state, the
 * fabric rules, the gNMI targets and the publisher.
 */
import type { Kafka } from 'kafkajs';
import { type Logger, pino } from 'pino';
import { Registry } from 'prom-client';
import { SessionEvent, SessionEventKind } from '../schemas/events.js';
import { TOPICS } from '../schemas/topics.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './bmp/framing.js';
import { DEFAULT_MAX_SESSIONS, DEFAULT_RESYNC_QUIET_MS } from './defaults.js';
import { addressAllowList, FabricResolver, type FabricRule } from './fabric/fabric-resolver.js';
import type { GnmiCollectorConfig } from './gnmi/config.js';
import { type GnmiCollector, sequence, startGnmiCollector } from './gnmi/gnmi-collector.js';
import { type GnmicInput, type GnmicInputConfig, startGnmicInput } from './gnmi/gnmic/gnmic-input.js';
import { BUILTIN_RULES } from './gnmi/normalize/builtin-rules.js';
import { RuleTable } from './gnmi/normalize/rule-table.js';
import { joinSlotMembership, slotOf } from './gnmi/slot-membership.js';
import { type CollectorMetrics, createCollectorMetrics } from './metrics.js';
import type { EventPublisher } from './publish/event-publisher.js';
import { startBmpServer } from './server/bmp-server.js';
import { longOf } from './session/route-event.js';
import type { AttributeSummary } from './session/route-labels.js';
import { CollectorState } from './state/collector-state.js';

export type { EventPublisher } from './publish/event-publisher.js';
export { createKafkaPublisher } from './publish/kafka-publisher.js';
export type { GnmiCollector, GnmiCollectorConfig };

export interface CollectorOptions {
  listen: { host: string; port: number };
  allow?: string[];
  fabrics: FabricRule[];
  /** Builds the publisher once the metrics exist (so it can count what it produces). */
  publisher: EventPublisher | ((metrics: CollectorMetrics) => Promise<EventPublisher>);
  collectorId?: string;
  logger?: Logger;
  registry?: Registry;
  resyncQuietMs?: number;
  maxMessageBytes?: number;
  /** gNMI targets to dial (none: no gNMI client). */
  gnmi?: GnmiCollectorConfig;
  /**
   * Divide the gNMI targets with the other collectors of this consumer group (collector/gnmi/slot-membership.ts)
   * instead of dialling them all (or a static shard).
   */
  gnmiMembership?: { kafka: Kafka; groupId: string; topic: string; slots: number; sessionTimeoutMs?: number };
  /** Connections beyond this many sessions are refused. */
  maxSessions?: number;
  /** gnmic's Kafka output as a second telemetry input (collector/gnmi/gnmic/gnmic-input.ts), normalized by the gNMI rules. */
  gnmic?: GnmicInputConfig & { kafka: Kafka; normalize?: GnmiCollectorConfig['normalize'] };
}

export interface Collector {
  address: { host: string; port: number };
  registry: Registry;
  state: CollectorState<AttributeSummary>;
  publisher: EventPublisher;
  sessions(): number;
  gnmi: GnmiCollector | undefined;
  gnmic: GnmicInput | undefined;
  stop(): Promise<void>;
}

export async function startCollector(o: CollectorOptions): Promise<Collector> {
  const logger = o.logger ?? pino({ name: 'collector' });
  const registry = o.registry ?? new Registry();
  const state = new CollectorState<AttributeSummary>();
  const metrics = createCollectorMetrics(registry, () => state.routeCount());
  const publisher = typeof o.publisher === 'function' ? await o.publisher(metrics) : o.publisher;
  // Sequence numbers: start time (ms) in the high bits, a counter below. They order events within a session; across
  // sessions (restarts, tasks, clocks that jump) the session epoch does (acquireEpoch).
  let seq = BigInt(Date.now()) << 20n;
  const collectorId = o.collectorId ?? 'collector-1';
  const append = publisher.appendAcked?.bind(publisher);
  const acquireEpoch = append
    ? async (address: string): Promise<bigint> => {
        const nowUs = longOf(BigInt(Date.now()) * 1000n);
        const start = SessionEvent.encode({
          kind: SessionEventKind.SESSION_EVENT_KIND_SESSION_START,
          router: { address },
          timestampUs: nowUs,
          receivedUs: nowUs,
          collectorId,
          collectorSeq: longOf(++seq),
          detail: 'BMP session accepted',
        }).finish();
        return (await append(TOPICS.sessions, address, start)) + 1n;
      }
    : undefined;
  const server = await startBmpServer({
    host: o.listen.host,
    port: o.listen.port,
    allow: addressAllowList(o.allow ?? []),
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxSessions: o.maxSessions ?? DEFAULT_MAX_SESSIONS,
    logger,
    context: {
      state,
      publisher,
      resolver: new FabricResolver(o.fabrics),
      metrics,
      logger,
      collectorId,
      nextSeq: () => ++seq,
      acquireEpoch,
      owners: new Map(),
      resyncQuietMs: o.resyncQuietMs ?? DEFAULT_RESYNC_QUIET_MS,
    },
  });
  logger.info({ listen: server.address }, 'BMP station listening');
  const gnmi = o.gnmi?.targets.length
    ? startGnmiCollector({
        ...o.gnmi,
        publisher,
        registry,
        logger: logger.child({ component: 'gnmi' }),
        collectorId: o.collectorId ?? 'collector-1',
        idle: o.gnmiMembership !== undefined,
      })
    : undefined;
  const m = o.gnmiMembership;
  const membership =
    gnmi && m
      ? await joinSlotMembership({
          kafka: m.kafka,
          groupId: m.groupId,
          topic: m.topic,
          sessionTimeoutMs: m.sessionTimeoutMs,
          logger: logger.child({ component: 'gnmi-membership' }),
          onAssigned: (slots) => gnmi.assign((t) => slots.has(slotOf(t.name, m.slots))),
        })
      : undefined;
  const gnmic = o.gnmic
    ? await startGnmicInput({
        ...o.gnmic,
        publisher,
        table: new RuleTable([...(o.gnmic.normalize ?? o.gnmi?.normalize ?? []), ...BUILTIN_RULES]),
        logger: logger.child({ component: 'gnmic' }),
        collectorId,
        nextSeq: sequence(),
      })
    : undefined;
  return {
    address: server.address,
    registry,
    state,
    publisher,
    sessions: server.sessions,
    gnmi,
    gnmic,
    async stop() {
      await gnmic?.stop();
      await membership?.stop();
      await gnmi?.stop();
      await server.close();
      await publisher.flush().catch(() => undefined);
    },
  };
}
