/**
 * Deliberate breaks for the drills' broken variants (../broken.ts): a MAC-index handler that silently drops 1 route
 * event in 1,000 (and reports nothing failed), a collector that never publishes one withdrawal. Injected only through
 * the stack's test hooks (wrapHandler, wrapPublisher); each records what it lost, so the variant can check that the
 * drill failed naming it.
 */
import type { EventPublisher } from '../../../collector/index.js';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { RouteAction, RouteEvent, RouteEventBatch } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';

export interface DrillFaults {
  /** The MAC-index handler drops route event number k·dropOneIn + DROP_OFFSET (1-based), k = 0, 1, … */
  dropOneIn?: number;
  /** Only events of this VNI are counted and dropped (the fuzz drill judges its healthy session's VNI only). */
  dropVni?: number;
  /**
   * Counts distinct MACs instead of events and drops every event of MAC number k·dropOneIn + DROP_OFFSET: a lost host
   * (drill 4's router reports each route in several RIB views, so one lost copy leaves the location unchanged).
   */
  dropWholeMac?: boolean;
  /** The collector does not publish its first withdrawal of a MAC/IP route. */
  skipWithdrawal?: boolean;
  /** MACs whose event a break dropped or skipped, as `mac|VNI#vni`. */
  lost: string[];
}

/** The 10th event, then every dropOneIn-th after it: small drills (20 hosts) lose one too. */
const DROP_OFFSET = 10;

const lostKey = (ev: { mac?: string | null; vni?: number | null }) => `${ev.mac}|VNI#${ev.vni ?? 0}`;

/** The mac-index handler with every dropOneIn-th route event removed from its batches before it runs. */
export function droppingHandler(inner: MskHandler, f: DrillFaults & { dropOneIn: number }): MskHandler {
  let seen = 0;
  const macNo = new Map<string, number>();
  // A redelivered record must lose the same event again (else a retry would heal the break): keyed by record.
  const dropped = new Map<string, number[]>();
  return async (event, ctx) => {
    for (const [tp, records] of Object.entries(event.records)) {
      if (!tp.startsWith(TOPICS.routes)) continue;
      for (const r of records) {
        const id = `${tp}@${r.offset}`;
        const batch = RouteEventBatch.decode(Buffer.from(r.value, 'base64'));
        let drop = dropped.get(id);
        if (!drop) {
          drop = [];
          batch.events.forEach((ev, k) => {
            if (f.dropVni !== undefined && ev.vni !== f.dropVni) return;
            const key = lostKey(ev);
            if (f.dropWholeMac && !macNo.has(key)) macNo.set(key, ++seen);
            const n = f.dropWholeMac ? macNo.get(key)! : ++seen;
            if (n % f.dropOneIn === DROP_OFFSET % f.dropOneIn) {
              drop!.push(k);
              if (!f.lost.includes(key)) f.lost.push(key);
            }
          });
          dropped.set(id, drop);
        }
        if (drop.length === 0) continue;
        const kept = batch.events.filter((_, k) => !drop.includes(k));
        r.value = Buffer.from(RouteEventBatch.encode({ events: kept }).finish()).toString('base64');
      }
    }
    return inner(event, ctx);
  };
}

/** A publisher that passes everything on but the first withdrawal of a MAC/IP route on evpn.routes.v1. */
export function skippingPublisher(inner: EventPublisher, f: DrillFaults): EventPublisher {
  let skipped = false;
  return {
    enqueue(topic, key, value) {
      if (!skipped && topic === TOPICS.routes) {
        const ev = RouteEvent.decode(value);
        if (ev.action === RouteAction.ROUTE_ACTION_WITHDRAW && ev.routeType === 2 && ev.mac) {
          skipped = true;
          f.lost.push(lostKey(ev));
          return true;
        }
      }
      return inner.enqueue(topic, key, value);
    },
    whenDrained: () => inner.whenDrained(),
    get bufferedBytes() {
      return inner.bufferedBytes;
    },
    ...(inner.appendAcked ? { appendAcked: (t: string, k: string, v: Uint8Array) => inner.appendAcked!(t, k, v) } : {}),
    flush: () => inner.flush(),
    close: () => inner.close(),
  };
}
