/**
 * The health function's scheduled tick: re-evaluates every fabric's status at the current time, so that the rules that
 * depend on time alone (a source gone quiet, a rate that fell back) fire without any event. Locally a timer
 * and on AWS an EventBridge schedule, both from the `health-tick` row of
 * infra/catalog/schedules.ts (period `health.tickSeconds`).
 */
import type { HealthHandler } from './handler.js';

export type HealthTick = (nowMs?: number) => Promise<{ fabrics: string[]; statuses: Record<string, string> }>;

/** A tick over the fabrics the health function has seen and the configured ones; it uses `handler`'s evaluator. */
export function createHealthTick(handler: HealthHandler, configured: string[]): HealthTick {
  return async (nowMs = Date.now()) => {
    const fabrics = [...new Set([...configured, ...(await handler.reader.fabricNames())])].sort();
    const statuses: Record<string, string> = {};
    for (const f of fabrics) statuses[f] = (await handler.evaluator.evaluate(f, nowMs)).status;
    return { fabrics, statuses };
  };
}
