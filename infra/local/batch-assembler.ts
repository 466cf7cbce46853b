/**
 * Gathers the per-partition record batches that kafkajs hands to concurrent `eachBatch` calls into one multi-partition
 * invocation, as Lambda's MSK event source mapping builds its events, and gives each partition its share of the
 * outcome: records taken, and done, failed from a checkpoint, or failed as a whole batch.
 *
 * An invocation closes when it holds `batchSize` records or `gatherMs` after its first partition joined. A partition
 * joins with at most the room left; the rest waits for its next turn. A partition is in at most one open or running
 * invocation at a time (its eachBatch loop awaits the outcome), so its records are handled strictly in order.
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

export interface BatchAssemblerOptions {
  batchSize: number;
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
  #open: { parts: Part[]; size: number; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly opts: BatchAssemblerOptions) {}

  /** Offers a partition's next records (in offset order); resolves when the invocation that took some has returned. */
  submit(topic: string, partition: number, messages: KafkaMessage[]): Promise<PartitionOutcome> {
    return new Promise((resolve) => {
      if (!this.#open) this.#open = { parts: [], size: 0, timer: setTimeout(() => this.#flush(), this.opts.gatherMs) };
      const open = this.#open;
      const taken = messages.slice(0, this.opts.batchSize - open.size);
      open.parts.push({ topic, partition, messages: taken, resolve });
      open.size += taken.length;
      if (open.size >= this.opts.batchSize) this.#flush();
    });
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
