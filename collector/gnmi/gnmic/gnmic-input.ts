/**
 * A second telemetry input: gnmic's Kafka output (format `event`, or `proto`), for sites whose devices already stream
 * to gnmic (no extra gNMI sessions on the devices). Each record is read back as gNMI notifications (gnmic-event.ts) and
 * normalized by the collector's own rule table, one TargetNormalizer per device, then published to telemetry.vtep.v1
 * keyed by the device exactly as the gNMI client publishes: consumers cannot tell the two inputs apart.
 *
 * It lives in the collector, not in a function, because the normalization does (functions never import the collector)
 * and because its output is the collector's topic, with the collector's sequence.
 *
 * Offsets are committed once the batch's samples are acknowledged by Kafka (publisher.flush): at least once, so a
 * restart may publish a sample again, which the consumers absorb (health keys samples by collector sequence).
 * gnmic's output carries no session events (no CONNECTED / SYNCED / DOWN): a device is treated as synced from its
 * first message, and its freshness comes from its samples alone.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS } from '../../../schemas/topics.js';
import type { EventPublisher } from '../../publish/event-publisher.js';
import { nowNs } from '../client/target-session.js';
import type { NormalizedSample } from '../normalize/normalizer.js';
import { TargetNormalizer } from '../normalize/normalizer.js';
import type { RuleTable } from '../normalize/rule-table.js';
import { SampleEncoder, type U64Halves } from '../publish/sample-encoder.js';
import { decodeGnmicRecord, type GnmicFormat } from './gnmic-event.js';

export interface GnmicDevice {
  /** The device name evpn-lens uses (default: gnmic's target name). */
  name?: string | undefined;
  fabric?: string | undefined;
  vtep?: string | undefined;
}

export interface GnmicInputConfig {
  topic: string;
  format: GnmicFormat;
  /** Consumer group (one per deployment). */
  groupId: string;
  /** Fabric of devices not listed in `devices`. */
  fabric: string;
  /** Per gnmic target name (the `source` tag; `proto`: the prefix target). */
  devices: Record<string, GnmicDevice>;
  /** Only the listed devices are taken (default: every device, in `fabric`). */
  listedOnly: boolean;
  /** How often gnmic's subscriptions refresh a leaf, per subscription name (ms; `*` for the others; 0: no promise). */
  refreshMs: Record<string, number>;
  publishUnmapped: boolean;
}

export interface GnmicInputStats {
  records: number;
  samples: number;
  /** Records or events that did not decode, or named no device. */
  skipped: number;
}

export interface GnmicInput {
  readonly stats: GnmicInputStats;
  stop(): Promise<void>;
}

export interface GnmicInputOptions extends GnmicInputConfig {
  kafka: Kafka;
  publisher: EventPublisher;
  table: RuleTable;
  logger: Logger;
  collectorId: string;
  nextSeq: () => U64Halves;
}

/** Devices (gnmic targets) one input keeps a normalizer for; records of others are skipped. */
const MAX_DEVICES = 10_000;

interface DeviceState {
  name: string;
  normalizer: TargetNormalizer;
  encoder: SampleEncoder;
  synced: boolean;
}

/** Normalizes gnmic records into encoded samples (pure of Kafka: the consumer and the tests drive it). */
export class GnmicNormalizer {
  readonly stats: GnmicInputStats = { records: 0, samples: 0, skipped: 0 };
  private readonly devices = new Map<string, DeviceState | null>();

  constructor(
    private readonly o: Pick<
      GnmicInputOptions,
      'format' | 'fabric' | 'devices' | 'listedOnly' | 'refreshMs' | 'publishUnmapped' | 'table' | 'collectorId' | 'nextSeq' | 'logger'
    >,
  ) {}

  private device(source: string): DeviceState | null {
    let d = this.devices.get(source);
    if (d !== undefined) return d;
    const conf = this.o.devices[source];
    // Bounded: a topic naming ever new sources (a misconfigured gnmic) cannot grow the collector's memory without end.
    if (this.devices.size >= MAX_DEVICES) return null;
    if (!source || (this.o.listedOnly && !conf)) d = null;
    else {
      const name = conf?.name ?? source;
      const normalizer = new TargetNormalizer(this.o.table, { publishUnmapped: this.o.publishUnmapped, vtep: conf?.vtep ?? '' });
      normalizer.connected();
      d = {
        name,
        normalizer,
        encoder: new SampleEncoder({ fabric: conf?.fabric ?? this.o.fabric, device: name, collectorId: this.o.collectorId }),
        synced: false,
      };
    }
    this.devices.set(source, d);
    return d;
  }

  /** One Kafka record: its samples, each with the device (the record key to publish with). */
  record(value: Uint8Array | null): { device: string; bytes: Buffer }[] {
    this.stats.records++;
    if (!value) return [];
    let decoded: ReturnType<typeof decodeGnmicRecord>;
    try {
      decoded = decodeGnmicRecord(this.o.format, value);
    } catch (err) {
      this.stats.skipped++;
      this.o.logger.debug({ err: (err as Error).message }, 'gnmic record that does not decode skipped');
      return [];
    }
    const out: { device: string; bytes: Buffer }[] = [];
    const receive = nowNs();
    for (const g of decoded) {
      const d = this.device(g.source);
      if (!d) {
        this.stats.skipped++;
        continue;
      }
      const samples: NormalizedSample[] = [];
      d.normalizer.notification(g.notification, samples);
      if (!d.synced) {
        d.synced = true;
        d.normalizer.sync(samples, g.notification.timestamp as never);
      }
      const refresh = this.o.refreshMs[g.subscription] ?? this.o.refreshMs['*'] ?? 0;
      for (const s of samples) out.push({ device: d.name, bytes: d.encoder.encode(s, receive, this.o.nextSeq(), refresh) });
      this.stats.samples += samples.length;
    }
    return out;
  }
}

export async function startGnmicInput(o: GnmicInputOptions): Promise<GnmicInput> {
  const n = new GnmicNormalizer(o);
  const consumer = o.kafka.consumer({ groupId: o.groupId, sessionTimeout: 10_000, heartbeatInterval: 2_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      let last: string | undefined;
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) break;
        for (const s of n.record(m.value)) {
          if (!o.publisher.enqueue(TOPICS.vtepTelemetry, s.device, s.bytes)) await o.publisher.whenDrained();
        }
        resolveOffset(m.offset);
        last = m.offset;
      }
      if (last === undefined) return;
      // At least once: the offsets are committed only after Kafka acknowledged what they produced.
      await o.publisher.flush();
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(last) + 1n) }]);
      await heartbeat();
    },
  });
  o.logger.info({ topic: o.topic, format: o.format, group: o.groupId }, `gnmic input reading ${o.topic} (${o.format})`);
  return {
    stats: n.stats,
    async stop() {
      await consumer.disconnect();
    },
  };
}
