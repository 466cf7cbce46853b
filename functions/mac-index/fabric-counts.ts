/**
 * Fabric MAC counters that stay exact under retry and redelivery, without transactions.
 *
 * A MAC item's conditional write records, per source partition, the change of fabric it made and the offset of the
 * record behind it (MacItem.counted). The counters are sharded by source partition, and each counter item keeps, per
 * source partition, the highest offset whose contributions it holds (`wm:<topic-partition>`). Per counter item a batch
 * adds, in one conditional update, exactly the contributions above that watermark:
 *  - a redelivered batch finds the contributions of its already-applied MACs on their items (their writes are not
 *    repeated) and the watermark filters out those already added;
 *  - contributions at or after a partition's first failed record are deferred to the redelivery that starts there
 *    (else the watermark would pass the failed group's offset and hide its contribution);
 *  - an SDK retry of an update that had been applied fails its watermark condition and changes nothing.
 * Invariant (per counter item and source): every contribution at or below the watermark is counted, none above it.
 *
 * Positions are strings that sort as (offset, place within the record): a route record's MAC groups all sit at its
 * offset; a RESYNC_COMPLETE sweep visits MACs in a fixed order (segment, shard, MAC: the index's sort order), so the
 * MACs a failed sweep had withdrawn sort before the one it failed at, and their contributions are due at once (a
 * redelivered sweep no longer finds a MAC it withdrew).
 */
import type { FabricChange, MacItem, Segment } from '../../schemas/tables/index.js';
import { macSegmentId } from '../../schemas/tables/index.js';

export interface Contribution {
  /** Source partition (`topic-partition`). */
  src: string;
  fabric: string;
  seg: Segment;
  delta: number;
  pos: string;
}

/** A position in a source partition: the record's offset, then the place within it ('' for a route record). */
export function positionOf(offset: number, within = ''): string {
  return `${String(offset).padStart(20, '0')}|${within}`;
}

/** Collects the contributions a batch owes the counters, from the items its writes left (or found). */
export class CountLedger {
  readonly #seen = new Set<string>();
  readonly contributions: Contribution[] = [];

  /** `firstPos`: per source partition, where this batch starts (older changes were counted by earlier batches). */
  constructor(private readonly firstPos: ReadonlyMap<string, string>) {}

  /** The fabric change a write from `src` makes: to be stored on the item by that same write. */
  static mark(item: MacItem, src: string, pos: string, before: string | undefined): void {
    const after = item.location?.fabric;
    if (before === after) return;
    const change: FabricChange = { pos, ...(before ? { from: before } : {}), ...(after ? { to: after } : {}) };
    item.counted = { ...item.counted, [src]: change };
  }

  /** Notes what this item (as stored now) owes the counters from this batch's sources. */
  note(item: MacItem | undefined): void {
    if (!item?.counted) return;
    for (const [src, c] of Object.entries(item.counted)) {
      const first = this.firstPos.get(src);
      if (first === undefined || c.pos < first) continue;
      const id = `${src}|${c.pos}|${macSegmentId(item.mac, item)}|${c.from ?? ''}|${c.to ?? ''}`;
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      const seg: Segment = item.evi ? { vni: 0, evi: item.evi } : { vni: item.vni };
      if (c.from) this.contributions.push({ src, fabric: c.from, seg, delta: -1, pos: c.pos });
      if (c.to) this.contributions.push({ src, fabric: c.to, seg, delta: 1, pos: c.pos });
    }
  }

  /** The contributions to add now: those before their partition's first failure (`failedAt`, a position). */
  due(failedAt: ReadonlyMap<string, string>): Contribution[] {
    return this.contributions.filter((c) => {
      const f = failedAt.get(c.src);
      return f === undefined || c.pos < f;
    });
  }
}

/** A RESYNC_COMPLETE sweep stopped at `pos`: the MACs before it are withdrawn, and their contributions are due. */
export class ResyncStoppedError extends Error {
  constructor(
    readonly pos: string,
    cause: unknown,
  ) {
    super(`resync sweep stopped at ${pos}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
