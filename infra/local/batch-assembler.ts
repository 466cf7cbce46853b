/**
 * Gathers the per-partition record batches that kafkajs hands to concurrent `eachBatch` calls into one multi-partition
 * invocation, as Lambda's MSK event source mapping builds its events, and gives each partition its share of the
 * outcome: records taken, and done, failed from a checkpoint, or failed as a whole batch.
 *
 * An invocation closes when it holds `batchSize` records, when the next record would take its payload past
 * `maxPayloadBytes` (Lambda's 6 MB invocation payload, which bounds an MSK event source mapping's batches on AWS: the
 * records are base64 in the event), or `gatherMs` after its first partition joined. A partition joins with at most the
 * room left; the rest waits for its next turn. A partition is in at most one open or running invocation at a time (its
 * eachBatch loop awaits the outcome), so its records are handled strictly in order.
 *
 * Without the payload bound a local invocation of 1,000 packed records carried ~250 MB and ~600,000 route events: the
 * functions that do not bound their own work per invocation (health, route index) read hundreds of thousands of items
 * in one go, and the event loop stalled long enough for the consumers on it to lose their group membership.
 */
import type { MSKEvent } from 'aws-lambda';
import type { KafkaMessage } from 'kafkajs';
import { checkpointsOf } from './batch-checkpoints.js';
import { type PartitionMessages, toMskEvent } from './msk-event.js';

export type PartitionOutcome =
  /** `taken` were delivered; those before `checkpoint` (all of them when undefined) are done. */
  | { kind: 'done'; taken: KafkaMessage[]; checkpoint?: number; handedBack?: boolean }
  /** The handler threw or answered with an identifier naming no record of the batch: none of `taken` is done. */
  | { kind: 'failed'; taken: KafkaMessage[]; err: unknown };

/** Lambda's invocation payload limit (6 MB), which caps an MSK event source mapping's batch. */
export const LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** A record's JSON in the event around its base64 key and value: topic, partition, offset, timestamps, names. */
const RECORD_JSON_BYTES = 160;

const base64Bytes = (n: number) => Math.ceil(n / 3) * 4;

/** What one record adds to the invocation's payload (msk-event.ts: key and value in base64, header bytes as numbers). */
export function payloadBytesOf(m: KafkaMessage): number {
  let headers = 0;
  for (const [name, v] of Object.entries(m.headers ?? {}))
    for (const x of Array.isArray(v) ? v : [v]) headers += name.length + 8 + 4 * (x === undefined ? 0 : Buffer.isBuffer(x) ? x.length : String(x).length);
  return RECORD_JSON_BYTES + base64Bytes(m.key?.length ?? 0) + base64Bytes(m.value?.length ?? 0) + headers;
}

export interface BatchAssemblerOptions {
  batchSize: number;
  /** The invocation payload's bound (default LAMBDA_PAYLOAD_BYTES); an invocation always takes at least one record. */
  maxPayloadBytes?: number;
  gatherMs: number;
  brokers: string[];
  invoke: (event: MSKEvent) => Promise<unknown>;
  /** Called once per invocation with its outcome (stats, logs). */
  onInvoked?: (event: MSKEvent, outcome: { ok: true; failedPartitions: number } | { ok: false; err: unknown }) => void;
}

interface Part extends PartitionMessages {
  resolve: (o: PartitionOutcome) => void;
}

export class BatchAssembler {
  #open: { parts: Part[]; size: number; bytes: number; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly opts: BatchAssemblerOptions) {}

  /** Offers a partition's next records (in offset order); resolves when the invocation that took some has returned. */
  submit(topic: string, partition: number, messages: KafkaMessage[]): Promise<PartitionOutcome> {
    return new Promise((resolve) => {
      let { n, bytes } = this.#room(messages);
      if (n === 0) {
        // The open invocation has no room for even this partition's first record: it goes as it is, this one opens the next.
        this.#flush();
        ({ n, bytes } = this.#room(messages));
      }
      const open = (this.#open ??= { parts: [], size: 0, bytes: 0, timer: setTimeout(() => this.#flush(), this.opts.gatherMs) });
      open.parts.push({ topic, partition, messages: messages.slice(0, n), resolve });
      open.size += n;
      open.bytes += bytes;
      // Full in records, or in bytes (this partition's next record did not fit).
      if (open.size >= this.opts.batchSize || n < messages.length) this.#flush();
    });
  }

  /** How many of `messages` the open invocation (or a new one) has room for, and their payload bytes; a new one takes at least one. */
  #room(messages: KafkaMessage[]): { n: number; bytes: number } {
    const max = this.opts.maxPayloadBytes ?? LAMBDA_PAYLOAD_BYTES;
    const size = this.#open?.size ?? 0;
    const used = this.#open?.bytes ?? 0;
    let n = 0;
    let bytes = 0;
    while (n < messages.length && size + n < this.opts.batchSize) {
      const b = payloadBytesOf(messages[n]!);
      if (used + bytes + b > max && size + n > 0) break;
      bytes += b;
      n++;
    }
    return { n, bytes };
  }

  #flush(): void {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    clearTimeout(open.timer);
    void this.#run(open.parts);
  }

  async #run(parts: Part[]): Promise<void> {
    const event = toMskEvent(parts, this.opts.brokers);
    let checkpoints: Map<string, number>;
    let handedBack: Set<string>;
    try {
      const response = await this.opts.invoke(event);
      checkpoints = checkpointsOf(event, response);
      // A deadline hand-back (functions/shared/msk.ts) is progress, not a failure.
      const hb = (response as { handedBack?: unknown } | undefined)?.handedBack;
      handedBack = new Set(Array.isArray(hb) ? hb.filter((x): x is string => typeof x === 'string') : []);
    } catch (err) {
      this.opts.onInvoked?.(event, { ok: false, err });
      for (const p of parts) p.resolve({ kind: 'failed', taken: p.messages, err });
      return;
    }
    this.opts.onInvoked?.(event, { ok: true, failedPartitions: [...checkpoints.keys()].filter((k) => !handedBack.has(k)).length });
    for (const p of parts) {
      const key = `${p.topic}-${p.partition}`;
      p.resolve({ kind: 'done', taken: p.messages, checkpoint: checkpoints.get(key), handedBack: handedBack.has(key) });
    }
  }
}
