/**
 * The health function's scheduled tick: re-evaluates every fabric's status at the current time, so that the rules that
 * depend on time alone (a source gone quiet, a rate that fell back) fire without any event. Locally a timer and on
 * AWS an EventBridge schedule, both from the `health-tick` row of infra/catalog/schedules.ts (period
 * `health.tickSeconds`). Where the store has no TTL (dynalite), it also deletes expired minute items and counter
 * buckets every ten minutes.
 */
import { type DeviceItem, healthKeys, minuteOf } from '../../schemas/tables/index.js';
import type { HealthHandler } from './handler.js';

export type HealthTick = (nowMs?: number) => Promise<{ fabrics: string[]; statuses: Record<string, string>; swept: number }>;

/** Minute items are kept this long (the history's 24 hours and a margin). */
const HISTORY_KEEP_MS = 25 * 3600_000;
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
      for (const f of fabrics) swept += await sweepExpired(handler, f, nowMs);
    }
    return { fabrics, statuses, swept };
  };
}

/** Deletes what DynamoDB's TTL would have: minute items older than a day and counter buckets past their retention. */
export async function sweepExpired(handler: HealthHandler, fabric: string, nowMs: number): Promise<number> {
  const s = handler.store;
  let n = 0;
  for (const m of await s.query<{ pk: string; sk: string }>(healthKeys.historyPk(fabric), { to: minuteOf(nowMs - HISTORY_KEEP_MS) })) {
    await s.delete(m);
    n++;
  }
  const cutoff = minuteOf(nowMs - handler.options.bucketRetentionMinutes * 60_000);
  for (const d of await s.query<DeviceItem>(healthKeys.fabricPk(fabric), { prefix: 'DEV#' }))
    for (const b of await s.query<{ pk: string; sk: string }>(healthKeys.bucketPk(fabric, d.device), { to: cutoff })) {
      await s.delete(b);
      n++;
    }
  return n;
}
