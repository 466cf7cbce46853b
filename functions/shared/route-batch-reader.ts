/**
 * The batch reader the route-consuming handlers share (the MAC index, the route index): it walks an invocation's
 * records in delivery order, gives the event loop a turn now and then (event-loop-turns.ts), reads each record once
 * (route-records.ts: one skip-and-log path for a record that does not decode) and keeps the invocation's budget.
 *
 * The budget: no record is taken once the time left falls under the reserve, nor one whose events would pass the event
 * budget (one packed record carries up to 2,000 events), unless nothing was taken yet (an invocation always makes
 * progress). Such a record and every later record of its partition are handed back: a DeadlineHandBackError in
 * `failures`, the partition's checkpoint, which the event source mapping (or the local runner) redelivers at once.
 */
import type { Logger } from 'pino';
import { turns } from './event-loop-turns.js';
import {
  type Context,
  DeadlineHandBackError,
  type DecodedRecord,
  decodeRecords,
  type MSKEvent,
  PartitionFailures,
  type RecordPosition,
  remainingMs,
  topicPartitionOf,
} from './msk.js';
import { type RouteRecord, readRouteRecord } from './route-records.js';

export interface RouteBatchReaderOptions {
  context?: Context;
  /** No new unit of work starts with less time than this left. */
  deadlineReserveMs: number;
  /** Events one invocation takes at most (none: unbounded). */
  maxEvents?: number;
  log: Logger;
}

/** A record taken into the invocation, with what it carries. */
export interface TakenRecord {
  rec: DecodedRecord<Uint8Array>;
  /** Its partition as `event.records` keys it. */
  src: string;
  read: Extract<RouteRecord, { kind: 'routes' | 'session' }>;
}

export class RouteBatchReader {
  /** Failed and handed-back records; `report` (./report-failures.ts) answers from it. */
  readonly failures = new PartitionFailures();
  /** The first offset taken of each partition: where the batch starts for it. */
  readonly firstOffsets = new Map<string, number>();
  /** Records taken (every kind). */
  records = 0;
  /** Route-event records that did not decode (skipped and logged). */
  undecodableRoutes = 0;
  /** Events and session records taken: what the event budget counts. */
  taken = 0;
  readonly #handedBack = new Set<string>();

  constructor(private readonly o: RouteBatchReaderOptions) {}

  outOfTime(): boolean {
    return remainingMs(this.o.context) < this.o.deadlineReserveMs;
  }

  /** Hands records back for redelivery (not a failure: the partition moves on from there at once). */
  handBack(records: Iterable<RecordPosition>, why: string): void {
    this.failures.add(records, new DeadlineHandBackError(why));
  }

  /** The records to apply, in delivery order per partition; the rest are handed back or skipped here. */
  async *read(event: MSKEvent): AsyncGenerator<TakenRecord> {
    const turn = turns();
    for (const rec of decodeRecords(event, (b) => b, undefined)) {
      await turn();
      const src = topicPartitionOf(rec);
      if (this.#handedBack.has(src)) {
        this.handBack([rec], 'an earlier record of the partition was handed back');
        continue;
      }
      if (this.taken > 0 && this.outOfTime()) {
        this.#handBackFrom(src, rec, 'too little time left');
        continue;
      }
      this.records++;
      if (!this.firstOffsets.has(src)) this.firstOffsets.set(src, rec.offset);
      const read = readRouteRecord(rec, this.o.log);
      if (read.kind === 'undecodable' && read.of === 'routes') this.undecodableRoutes++;
      if (read.kind === 'session') this.taken++;
      else if (read.kind === 'routes') {
        const max = this.o.maxEvents;
        if (max !== undefined && this.taken > 0 && this.taken + read.events.length > max) {
          this.#handBackFrom(src, rec, `more than ${max} events`);
          continue;
        }
        this.taken += read.events.length;
      } else continue;
      yield { rec, src, read };
    }
  }

  #handBackFrom(src: string, rec: RecordPosition, why: string): void {
    this.#handedBack.add(src);
    this.handBack([rec], why);
  }
}

/** Notes that `rec` contributed to a unit of work: its first record per partition is where a failure redelivers from. */
export function noteOrigin(origins: RecordPosition[], rec: RecordPosition): void {
  if (!origins.some((o) => o.topic === rec.topic && o.partition === rec.partition)) origins.push(rec);
}
