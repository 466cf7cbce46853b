/**
 * The collector's Kafka producer: idempotent (KIP-98), acks from all in-sync replicas, keyed records partitioned as the
 * Java client does, records appended straight into per-partition record batches (no per-record objects), up to five
 * requests in flight per broker.
 *
 * Ordering and no loss: each partition's batches carry consecutive sequence numbers; a batch that fails (connection lost,
 * leader moved, any retriable error) is resent with the same sequence, after every earlier one, one at a time until the
 * partition has caught up, so the broker keeps order and drops duplicates. If the broker forgot this producer
 * (UNKNOWN_PRODUCER_ID, an out-of-order sequence with nothing failed before it), a new producer id is taken and every
 * unacknowledged batch is restamped from sequence 0: at least once, never lost. Batches are retried until Kafka takes
 * them; the publisher's bounded buffer makes the BMP sessions pause meanwhile.
 */
import type { ConnectionOptions } from 'node:tls';
import { BrokerConnection } from './broker-connection.js';
import { KafkaErrorCode, KafkaProtocolError, KafkaWireError, isRetriable } from './errors.js';
import { partitionOfKey } from './murmur2.js';
import { ApiVersions } from './protocol/api-versions.js';
import { InitProducerId } from './protocol/init-producer-id.js';
import { Metadata, type MetadataResponse } from './protocol/metadata.js';
import { Produce, type ProducePartitionResult, type ProduceRequest } from './protocol/produce.js';
import type { ApiCall } from './protocol/request-header.js';
import { RecordBatchBuilder, isAsciiKey, stampBatch } from './record-batch.js';

export interface WireProducerOptions {
  brokers: string[];
  /** Every topic this producer writes; their metadata is loaded at connect (a missing topic fails the start). */
  topics: readonly string[];
  clientId?: string;
  tls?: ConnectionOptions;
  /** Largest record batch per partition (keep below the topics' max.message.bytes, 1 MiB by default). */
  maxBatchBytes?: number;
  /** How long a partly filled batch may wait for more records. */
  lingerMs?: number;
  /** Requests in flight per broker (1..5; KIP-98 keeps order for up to 5). */
  maxInFlight?: number;
  requestTimeoutMs?: number;
  /** Records of `topic` acknowledged by Kafka. */
  onAcked?: (topic: string, records: number, payloadBytes: number) => void;
  /** A failed attempt that will be retried (or, for a record Kafka can never take, the drop). */
  onError?: (err: Error, detail: { topic?: string; partition?: number; records?: number; dropped?: boolean }) => void;
}

interface Batch {
  ps: PartitionState;
  buf: Buffer;
  count: number;
  payloadBytes: number;
  baseSeq: number;
}

interface PartitionState {
  topic: string;
  partition: number;
  leader: number;
  open: RecordBatchBuilder | undefined;
  /** Sealed, waiting to be sent, in sequence order. */
  queued: Batch[];
  /** Sent, waiting for their response, in sequence order. */
  inFlight: Batch[];
  /** Failed, to be resent one at a time before anything in `queued`, in sequence order. */
  retry: Batch[];
  nextSeq: number;
}

const SEQ_MOD = 0x8000_0000;
const REQUIRED: ApiCall<never, unknown>[] = [Produce, Metadata, InitProducerId] as ApiCall<never, unknown>[];

function parseBroker(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new KafkaWireError(`bad Kafka broker address "${s}" (want host:port)`);
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port };
}

export class WireProducer {
  private readonly clientId: string;
  private readonly maxBatchBytes: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly topics = new Map<string, PartitionState[]>();
  private readonly brokerAddr = new Map<number, { host: string; port: number }>();
  private readonly conns = new Map<number, BrokerConnection>();
  private producerId = -1n;
  private producerEpoch = 0;
  private unacked = 0;
  private unackedBytes = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private backoffTimer: NodeJS.Timeout | undefined;
  private backoffMs = 0;
  private metadataStale = false;
  private resetNeeded = false;
  private busy = false; // a metadata refresh or producer-id reset is running
  private closed = false;
  private flushWaiters: (() => void)[] = [];
  /** Produce requests and record batches sent (retries included), for metrics and the bench. */
  readonly stats = { requests: 0, batches: 0, records: 0 };

  private constructor(private readonly opts: WireProducerOptions) {
    this.clientId = opts.clientId ?? 'evpn-lens-collector';
    this.maxBatchBytes = opts.maxBatchBytes ?? 1_000_000;
    this.lingerMs = opts.lingerMs ?? 5;
    this.maxInFlight = Math.max(1, Math.min(opts.maxInFlight ?? 5, 5));
  }

  /** Connects, checks API versions, loads the topics' partition leaders and takes a producer id. */
  static async connect(opts: WireProducerOptions): Promise<WireProducer> {
    if (opts.brokers.length === 0) throw new KafkaWireError('no Kafka brokers given');
    const p = new WireProducer(opts);
    await p.bootstrap();
    return p;
  }

  /** Records accepted and not yet acknowledged. */
  get pendingRecords(): number {
    return this.unacked;
  }

  /** Key and value bytes of those records. */
  get pendingBytes(): number {
    return this.unackedBytes;
  }

  private connOpts(addr: { host: string; port: number }) {
    return { ...addr, clientId: this.clientId, tls: this.opts.tls, requestTimeoutMs: this.opts.requestTimeoutMs ?? 30_000 };
  }

  /** Any broker that answers: known ones first, then the bootstrap list. */
  private async anyBroker<Res>(api: ApiCall<Record<string, never>, Res> | ApiCall<{ topics: string[] }, Res>, req: unknown): Promise<Res> {
    let last: unknown;
    for (const [id, c] of this.conns) {
      if (!c.isOpen) continue;
      try {
        return await c.send(api as ApiCall<unknown, Res>, req);
      } catch (err) {
        last = err;
        this.conns.delete(id);
      }
    }
    for (const b of this.opts.brokers) {
      const c = new BrokerConnection(this.connOpts(parseBroker(b)));
      try {
        await c.connect();
        try {
          return await c.send(api as ApiCall<unknown, Res>, req);
        } finally {
          c.close();
        }
      } catch (err) {
        last = err;
      }
    }
    throw new KafkaWireError(`no Kafka broker of ${this.opts.brokers.join(',')} answered ${api.name}`, true, { cause: last });
  }

  private async bootstrap(): Promise<void> {
    const versions = await this.anyBroker(ApiVersions, {});
    if (versions.errorCode !== 0) throw new KafkaProtocolError(versions.errorCode, 'ApiVersions');
    for (const api of REQUIRED) {
      const range = versions.apis.get(api.key);
      if (!range || api.version < range.min || api.version > range.max) {
        throw new KafkaWireError(`the Kafka broker does not speak ${api.name} v${api.version} (it offers ${range ? `v${range.min}..v${range.max}` : 'none'})`);
      }
    }
    await retrying(async () => this.applyMetadata(await this.anyBroker(Metadata, { topics: [...this.opts.topics] }), true));
    await retrying(() => this.initProducerId());
  }

  private applyMetadata(md: MetadataResponse, initial: boolean): void {
    for (const b of md.brokers) this.brokerAddr.set(b.nodeId, { host: b.host, port: b.port });
    for (const t of md.topics) {
      if (t.errorCode !== 0) {
        if (initial) throw new KafkaProtocolError(t.errorCode, 'Metadata', `topic ${t.name}`);
        continue;
      }
      let parts = this.topics.get(t.name);
      if (!parts) {
        parts = [];
        for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
          parts.push({ topic: t.name, partition: p.partition, leader: p.leader, open: undefined, queued: [], inFlight: [], retry: [], nextSeq: 0 });
        }
        this.topics.set(t.name, parts);
      } else {
        // The partition count is fixed for the producer's life: keys must keep their partition (per-MAC order).
        for (const p of t.partitions) {
          const ps = parts[p.partition];
          if (ps) ps.leader = p.leader;
        }
      }
    }
  }

  private async initProducerId(): Promise<void> {
    const res = await this.anyBroker(InitProducerId, {});
    if (res.errorCode !== 0) throw new KafkaProtocolError(res.errorCode, 'InitProducerId');
    this.producerId = res.producerId;
    this.producerEpoch = res.producerEpoch;
  }

  /** Appends one record; never blocks. The caller bounds what it enqueues (see `pendingRecords`). */
  enqueue(topic: string, key: string, value: Uint8Array): void {
    if (this.closed) throw new KafkaWireError('the Kafka producer is closed');
    const parts = this.topics.get(topic);
    if (!parts) throw new KafkaWireError(`topic ${topic} was not declared to the Kafka producer`);
    const k = isAsciiKey(key) ? key : Buffer.from(key, 'utf8').toString('latin1');
    const ps = parts[partitionOfKey(k, parts.length)]!;
    const now = Date.now();
    let b = ps.open;
    if (!b) b = ps.open = new RecordBatchBuilder(this.maxBatchBytes);
    if (!b.append(k, k.length, value, now)) {
      this.seal(ps);
      b = ps.open = new RecordBatchBuilder(this.maxBatchBytes, this.maxBatchBytes);
      b.append(k, k.length, value, now);
    }
    this.unacked++;
    this.unackedBytes += k.length + value.length;
    if (b.sizeBytes >= this.maxBatchBytes - 256) {
      this.seal(ps);
      this.schedulePump();
    } else if (!this.lingerTimer) {
      this.lingerTimer = setTimeout(() => {
        this.lingerTimer = undefined;
        this.sealAll();
        this.schedulePump();
      }, this.lingerMs);
    }
  }

  private seal(ps: PartitionState): void {
    const b = ps.open;
    if (!b || b.count === 0) return;
    ps.open = undefined;
    const baseSeq = ps.nextSeq;
    const buf = b.seal({ producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: baseSeq });
    ps.nextSeq = (baseSeq + b.count) % SEQ_MOD;
    ps.queued.push({ ps, buf, count: b.count, payloadBytes: b.payloadBytes, baseSeq });
  }

  private sealAll(): void {
    for (const parts of this.topics.values()) for (const ps of parts) this.seal(ps);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.backoffTimer) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      void this.pump();
    });
  }

  private connFor(nodeId: number): BrokerConnection | undefined {
    const c = this.conns.get(nodeId);
    if (c?.isOpen) return c;
    return undefined;
  }

  private async pump(): Promise<void> {
    if (this.busy || this.closed) return;
    if (this.metadataStale || this.resetNeeded) {
      await this.recover();
      return;
    }
    // Group sendable partitions by leader.
    const byLeader = new Map<number, PartitionState[]>();
    for (const parts of this.topics.values()) {
      for (const ps of parts) {
        const sendable = ps.retry.length > 0 ? ps.inFlight.length === 0 : ps.queued.length > 0 && ps.inFlight.length < this.maxInFlight;
        if (!sendable) continue;
        let l = byLeader.get(ps.leader);
        if (!l) byLeader.set(ps.leader, (l = []));
        l.push(ps);
      }
    }
    for (const [leader, list] of byLeader) {
      let conn = this.connFor(leader);
      if (!conn) {
        const addr = this.brokerAddr.get(leader);
        if (!addr) {
          this.metadataStale = true;
          this.fail(new KafkaWireError(`no address known for Kafka leader ${leader}`, true), {});
          return;
        }
        conn = new BrokerConnection(this.connOpts(addr));
        this.conns.set(leader, conn);
        this.busy = true;
        try {
          await conn.connect();
        } catch (err) {
          this.conns.delete(leader);
          this.metadataStale = true;
          this.fail(err as Error, {});
          return;
        } finally {
          this.busy = false;
        }
      }
      while (conn.inFlight < this.maxInFlight) {
        const batches: Batch[] = [];
        for (const ps of list) {
          if (ps.retry.length > 0) {
            if (ps.inFlight.length === 0) batches.push(ps.retry.shift()!);
          } else if (ps.queued.length > 0 && ps.inFlight.length < this.maxInFlight) batches.push(ps.queued.shift()!);
        }
        if (batches.length === 0) break;
        for (const b of batches) b.ps.inFlight.push(b);
        this.sendRequest(conn, batches);
      }
    }
  }

  private sendRequest(conn: BrokerConnection, batches: Batch[]): void {
    const topics = new Map<string, ProduceRequest['topics'][number]>();
    let bytes = 0;
    for (const b of batches) {
      let t = topics.get(b.ps.topic);
      if (!t) topics.set(b.ps.topic, (t = { name: b.ps.topic, partitions: [] }));
      t.partitions.push({ partition: b.ps.partition, batch: b.buf });
      bytes += b.buf.length + 16;
    }
    this.stats.requests++;
    this.stats.batches += batches.length;
    for (const b of batches) this.stats.records += b.count;
    conn.send(Produce, { acks: -1, timeoutMs: 30_000, topics: [...topics.values()] }, bytes + 64).then(
      (results) => this.onResults(batches, results),
      (err: Error) => {
        for (const b of batches) this.onBatchFailed(b, err, true);
        this.metadataStale = true;
        this.afterFailure();
      },
    );
  }

  private onResults(batches: Batch[], results: ProducePartitionResult[]): void {
    const byTp = new Map<string, ProducePartitionResult>();
    for (const r of results) byTp.set(`${r.topic}/${r.partition}`, r);
    let failed = false;
    for (const b of batches) {
      const r = byTp.get(`${b.ps.topic}/${b.ps.partition}`);
      const code = r ? r.errorCode : -1;
      if (code === KafkaErrorCode.NONE || code === KafkaErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.onAcked(b);
        continue;
      }
      failed = true;
      const err = new KafkaProtocolError(code, 'Produce', r?.errorMessage ?? (r ? null : 'partition missing from the response'));
      if (code === 10 || code === 18 || code === 87) {
        // MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE / INVALID_RECORD: resending cannot help. The broker did not take the
        // sequence, so the partition's later batches restart under a new producer id.
        this.removeInFlight(b);
        this.unacked -= b.count;
        this.unackedBytes -= b.payloadBytes;
        this.opts.onError?.(err, { topic: b.ps.topic, partition: b.ps.partition, records: b.count, dropped: true });
        this.resetNeeded = true;
        continue;
      }
      const earlierFailed = b.ps.retry.length > 0;
      if (code === KafkaErrorCode.UNKNOWN_PRODUCER_ID || code === KafkaErrorCode.INVALID_PRODUCER_EPOCH || (code === KafkaErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && !earlierFailed)) {
        this.resetNeeded = true;
      } else if (isRetriable(code)) {
        if (code === 3 || code === 5 || code === 6 || code === 74 || code === 75) this.metadataStale = true;
      }
      this.onBatchFailed(b, err, false);
    }
    this.maybeFlushed();
    if (failed) this.afterFailure();
    else {
      this.backoffMs = 0;
      this.schedulePump();
    }
  }

  private removeInFlight(b: Batch): void {
    const i = b.ps.inFlight.indexOf(b);
    if (i >= 0) b.ps.inFlight.splice(i, 1);
  }

  private onAcked(b: Batch): void {
    this.removeInFlight(b);
    this.unacked -= b.count;
    this.unackedBytes -= b.payloadBytes;
    this.opts.onAcked?.(b.ps.topic, b.count, b.payloadBytes);
  }

  private onBatchFailed(b: Batch, err: Error, connection: boolean): void {
    this.removeInFlight(b);
    // Keep retries in sequence order (responses of one partition may fail in any order after a connection loss).
    const r = b.ps.retry;
    let i = r.length;
    while (i > 0 && seqBefore(b.baseSeq, r[i - 1]!.baseSeq)) i--;
    r.splice(i, 0, b);
    this.opts.onError?.(err, { topic: b.ps.topic, partition: b.ps.partition, records: b.count, dropped: false });
    void connection;
  }

  private fail(err: Error, detail: { topic?: string; partition?: number }): void {
    this.opts.onError?.(err, detail);
    this.afterFailure();
  }

  private afterFailure(): void {
    if (this.backoffTimer || this.closed) return;
    this.backoffMs = Math.min(5_000, this.backoffMs ? this.backoffMs * 2 : 100);
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.schedulePump();
    }, this.backoffMs);
  }

  /** Refreshes leaders and, when the broker lost this producer, takes a new id and restamps what is unacknowledged. */
  private async recover(): Promise<void> {
    this.busy = true;
    try {
      if (this.resetNeeded) {
        // Wait for every in-flight request to settle: their batches must be restamped too.
        for (const parts of this.topics.values()) for (const ps of parts) if (ps.inFlight.length > 0) return;
        await this.initProducerId();
        for (const parts of this.topics.values()) {
          for (const ps of parts) {
            let seq = 0;
            for (const b of [...ps.retry, ...ps.queued]) {
              b.baseSeq = seq;
              stampBatch(b.buf, { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: seq });
              seq = (seq + b.count) % SEQ_MOD;
            }
            ps.queued = [...ps.retry, ...ps.queued];
            ps.retry = [];
            ps.nextSeq = seq;
          }
        }
        this.resetNeeded = false;
      }
      if (this.metadataStale) {
        for (const [id, c] of this.conns) if (!c.isOpen) this.conns.delete(id);
        this.applyMetadata(await this.anyBroker(Metadata, { topics: [...this.topics.keys()] }), false);
        this.metadataStale = false;
      }
    } catch (err) {
      this.busy = false;
      this.fail(err as Error, {});
      return;
    }
    this.busy = false;
    this.schedulePump();
  }

  private maybeFlushed(): void {
    if (this.unacked > 0 || this.flushWaiters.length === 0) return;
    const w = this.flushWaiters;
    this.flushWaiters = [];
    for (const f of w) f();
  }

  /** Sends everything enqueued; resolves once Kafka acknowledged all of it. */
  flush(): Promise<void> {
    if (this.unacked === 0) return Promise.resolve();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.sealAll();
    this.schedulePump();
    return new Promise<void>((resolve) => this.flushWaiters.push(resolve));
  }

  /** Closes the connections; what is not acknowledged yet is lost, so flush first. */
  close(): void {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
    const w = this.flushWaiters;
    this.flushWaiters = [];
    for (const f of w) f();
  }
}

/** Retries a start-up step while the error is retriable (a coordinator still loading, a leader being elected), up to 30 s. */
async function retrying<T>(step: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof KafkaWireError && err.retriable) || Date.now() + delay > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Sequence order with wraparound at 2^31 (Kafka sequences restart at 0 after Integer.MAX_VALUE). */
function seqBefore(a: number, b: number): boolean {
  const d = (b - a + SEQ_MOD) % SEQ_MOD;
  return d !== 0 && d < SEQ_MOD / 2;
}
