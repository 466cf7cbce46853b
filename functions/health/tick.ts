/**
 * The health function's scheduled tick: re-evaluates every fabric's status at the current time, so that the rules that
 * depend on time alone (a source gone quiet, a rate that fell back) fire without any event. Locally a timer
 * (infra/local/stack.ts, `health.tickSeconds`); on AWS a scheduled invocation of `scheduledHandler` (EventBridge
 * Scheduler → Lambda, reserved concurrency 1).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHealthHandler, type HealthDeps, type HealthHandler, healthDepsFromEnv } from './handler.js';

export interface HealthTick {
  (nowMs?: number): Promise<{ fabrics: string[]; statuses: Record<string, string> }>;
}

/** A tick over the fabrics the health function has seen and the configured ones; it uses `handler`'s evaluator. */
export function createHealthTick(handler: HealthHandler, configured: string[]): HealthTick {
  return async (nowMs = Date.now()) => {
    const fabrics = [...new Set([...configured, ...(await handler.reader.fabricNames())])].sort();
    const statuses: Record<string, string> = {};
    for (const f of fabrics) statuses[f] = (await handler.evaluator.evaluate(f, nowMs)).status;
    return { fabrics, statuses };
  };
}

let tick: HealthTick | undefined;
/** Lambda entry point of the schedule (the same configuration as the MSK handler). */
export const scheduledHandler = async (): Promise<{ fabrics: string[]; statuses: Record<string, string> }> => {
  if (!tick) {
    const deps: HealthDeps = {
      ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
      ...healthDepsFromEnv(process.env),
    };
    tick = createHealthTick(createHealthHandler(deps), (deps.fabrics ?? []).map((f) => f.name));
  }
  return tick();
};
