/**
 * What reached the MAC-index handler: every route event delivered (redeliveries, and retries of batches that threw,
 * included) and the distinct ones, by (router, route key, RIB view, session epoch, collector sequence). Optionally makes
 * the handler throw on a share of batches, before it runs (drill 2). What was lost is not counted here: a drill reads
 * it from the store (the index compared with what it sent).
 */

import type { MskHandler } from '../../../functions/shared/msk.js';
import { RouteEventBatch } from '../../../schemas/events.js';
import { toBigInt } from '../../../schemas/long.js';
import { TOPICS } from '../../../schemas/topics.js';

export class HandlerFaultError extends Error {
  override readonly name = 'HandlerFaultError';
}

export interface DeliveryCount {
  delivered: number;
  /** Distinct events by a 53-bit hash of their identity (eventId). */
  distinct: Set<number>;
  batches: number;
  thrown: number;
}

/**
 * An event's identity as a 53-bit hash (cyrb53) of its identity string: the drills run in the stack's process, and a
 * set of millions of ~120-character strings (drill 6 delivers 2.5 million events) would be hundreds of MB of the very
 * RssAnon the drill measures. Two of 2.5 million events collide with a chance of about 1 in 3,000; a collision can
 * only make a drill undercount what was delivered (fail), never pass a loss.
 */
export function eventId(ev: Parameters<typeof eventIdText>[0]): number {
  return cyrb53(eventIdText(ev));
}

function cyrb53(str: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

function eventIdText(ev: {
  router?: { address?: string | null; bgpId?: string | null } | null;
  routeKey?: string | null;
  peer?: { ribView?: number | null; address?: string | null } | null;
  sessionEpoch?: unknown;
  collectorSeq?: unknown;
  action?: number | null;
}): string {
  return `${ev.router?.address}/${ev.router?.bgpId}|${ev.peer?.address}|${ev.peer?.ribView}|${ev.routeKey}|${ev.action}|${toBigInt((ev.sessionEpoch ?? 0) as never)}|${toBigInt((ev.collectorSeq ?? 0) as never)}`;
}

export function countingHandler(inner: MskHandler, o: { failureRate?: number; random?: () => number } = {}): { handler: MskHandler; count: DeliveryCount } {
  const count: DeliveryCount = { delivered: 0, distinct: new Set(), batches: 0, thrown: 0 };
  const random = o.random ?? Math.random;
  const handler: MskHandler = async (event, ctx) => {
    count.batches++;
    // Every delivery counts, before the handler runs: a batch that throws, or whose records the handler reports failed,
    // comes again and its second delivery is a duplicate (delivered - distinct).
    for (const [tp, records] of Object.entries(event.records)) {
      if (!tp.startsWith(TOPICS.routes)) continue;
      for (const r of records) {
        for (const ev of RouteEventBatch.decode(Buffer.from(r.value, 'base64')).events) {
          count.delivered++;
          count.distinct.add(eventId(ev));
        }
      }
    }
    if (o.failureRate && random() < o.failureRate) {
      count.thrown++;
      throw new HandlerFaultError('drill: the MAC index handler throws on this batch');
    }
    return inner(event, ctx);
  };
  return { handler, count };
}
