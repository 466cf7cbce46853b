/**
 * The health function's scheduled tick: re-evaluates every fabric's status at the current time, so that the rules that
 * depend on time alone (a source gone quiet, a rate that fell back) fire without any event. Locally a timer and on
 * AWS an EventBridge schedule, both from the `health-tick` row of infra/catalog/schedules.ts (period
 * `health.tickSeconds`). Where the store has no TTL (the embedded store, dynalite), it also deletes the expired items
 * (minute items, counter buckets, dead routes) every ten minutes.
 */
import type { HealthHandler } from './handler.js';

export type HealthTick = (nowMs?: number) => Promise<{ fabrics: string[]; statuses: Record<string, string>; swept: number }>;

const SWEEP_EVERY_MS = 10 * 60_000;

/** A tick over the fabrics the health function has seen and the configured ones; it uses `handler`'s evaluator. */
export function createHealthTick(handler: HealthHandler, configured: string[], o: { sweepExpired?: boolean } = {}): HealthTick {
  let lastSweep = 0;
  return async (nowMs = Date.now()) => {
    const fabrics = [...new Set([...configured, ...(await handler.reader.fabricNames())])].sort();
    const statuses: Record<string, string> = {};
    for (const f of fabrics) statuses[f] = (await handler.evaluator.evaluate(f, nowMs)).status;
    let swept = 0;
    if (o.sweepExpired && nowMs - lastSweep >= SWEEP_EVERY_MS) {
      lastSweep = nowMs;
      swept = await sweepExpired(handler, nowMs);
    }
    return { fabrics, statuses, swept };
  };
}

/** Deletes what DynamoDB's TTL would have: every item of the health table whose `expiresAt` has passed. */
export async function sweepExpired(handler: HealthHandler, nowMs: number): Promise<number> {
  return handler.store.table.sweepExpired(Math.floor(nowMs / 1000));
}
