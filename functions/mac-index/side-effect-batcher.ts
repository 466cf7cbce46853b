/**
 * The side effects of concurrent MAC groups, written together: each group hands its unconditional puts and deletes
 * (IP bindings, history entries, duplicate watches) to the batcher and waits until they are stored, and the batcher
 * writes what every group handed it in the same event-loop turn as one batch (BatchWriteItem requests of 25 on
 * DynamoDB, one transaction on the embedded store). A group still writes its MAC item only after its own side effects
 * are stored, so a retried batch finds them whatever failed; on AWS, where each request is a round trip and costs
 * client CPU, a new MAC then takes about one request (its conditional put) instead of two.
 * Keys never collide between groups (each key names its MAC and segment), so merging changes no write.
 */
import type { MacIndexStore, SideEffects } from './mac-index-store.js';

interface Waiting {
  fx: SideEffects;
  done: (err?: unknown) => void;
}

export class SideEffectBatcher {
  #waiting: Waiting[] = [];
  #scheduled = false;
  /** Batches written, and the groups' side effects they carried (the bench reports the ratio). */
  batches = 0;
  handed = 0;

  constructor(private readonly store: Pick<MacIndexStore, 'writeSideEffects'>) {}

  /** Resolves once `fx` is stored (with whatever else was handed over in the same turn), rejects if that write failed. */
  write(fx: SideEffects): Promise<void> {
    if (fx.put.length + fx.delete.length === 0) return Promise.resolve();
    this.handed++;
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ fx, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate: after the I/O callbacks of this turn, so every group that got its reply in it joins the batch.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#scheduled = false;
    const merged: SideEffects = { put: batch.flatMap((w) => w.fx.put), delete: batch.flatMap((w) => w.fx.delete) };
    this.batches++;
    try {
      await this.store.writeSideEffects(merged);
    } catch (err) {
      for (const w of batch) w.done(err);
      return;
    }
    for (const w of batch) w.done();
  }
}
