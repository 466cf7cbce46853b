/**
 * A whole local stack for one fault drill: its own Kafka broker and store (the embedded one by default) under a temporary data directory (a drill
 * kills and starves them; nothing else may share them), free ports on 127.0.0.1, timers shortened for drills.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { EventPublisher } from '../../../collector/index.js';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { parseConfig } from '../../../infra/config/load-config.js';
import type { Config } from '../../../infra/config/schema.js';
import { type LocalStack, type StackTestHooks, startLocalStack } from '../../../infra/local/stack.js';
import { countingHandler, type DeliveryCount } from './delivery-count.js';
import { type DrillFaults, droppingHandler, skippingPublisher } from './drill-faults.js';
import { waitUntil } from './wait.js';

export interface DrillStack {
  stack: LocalStack;
  cfg: Config;
  bmpPort: number;
  /** What reached the MAC-index handler (delivery-count.ts). */
  delivery: DeliveryCount;
  stop(): Promise<void>;
}

/** Fabrics dc1..dc10, each with two route reflectors: router IDs 10.70.<k>.1 and 10.70.<k>.2 (drillRouterId). */
export const DRILL_FABRICS = [
  ...Array.from({ length: 10 }, (_, k) => ({ name: `dc${k + 1}`, match: { routerIds: [drillRouterId(k + 1, 1), drillRouterId(k + 1, 2)] } })),
  { name: 'lab', match: { addresses: ['127.0.0.0/8'] } },
];

export function drillRouterId(fabric: number, rr: number): string {
  return `10.70.${fabric}.${rr}`;
}

export async function startDrillStack(o: {
  name: string;
  resyncQuietSeconds?: number;
  hooks?: StackTestHooks;
  extra?: Record<string, unknown>;
  logLevel?: string;
  /** Share of MAC-index batches that throw before the handler runs (drill 2). */
  handlerFailureRate?: number;
  random?: () => number;
  /** A broken variant's breaks (drill-faults.ts); none in a drill proper. */
  faults?: DrillFaults;
  /** Events per evpn.routes.v1 record and records per invocation (drill 2 wants many small batches). */
  maxEventsPerRecord?: number;
  batchSize?: number;
  /** The embedded broker's byte cap (kafka.localRetention.maxBytes) when the drill's backlog outgrows the default. */
  localRetentionBytes?: number;
}): Promise<DrillStack> {
  let delivery: DeliveryCount | undefined;
  const wrapHandler = (mapping: string, h: MskHandler): MskHandler => {
    if (mapping !== 'mac-index') return h;
    const f = o.faults;
    const inner = f?.dropOneIn ? droppingHandler(h, { ...f, dropOneIn: f.dropOneIn }) : h;
    // Counted outermost: a delivery counts whatever the handler (or a break) then does with it.
    const c = countingHandler(inner, { failureRate: o.handlerFailureRate, random: o.random });
    delivery = c.count;
    return c.handler;
  };
  const dataDir = mkdtempSync(join(tmpdir(), `evpn-lens-drill-${o.name}-`));
  const cfg = parseConfig({
    dataDir,
    logLevel: o.logLevel ?? 'warn',
    fabrics: DRILL_FABRICS,
    kafka: {
      partitions: 3,
      ...(o.maxEventsPerRecord ? { maxEventsPerRecord: o.maxEventsPerRecord } : {}),
      ...(o.localRetentionBytes ? { localRetention: { maxBytes: o.localRetentionBytes } } : {}),
    },
    // Port 0: the kernel picks at bind time. A port picked before (freePort) can be taken by another process by then
    // (CI rehearsal 13: EADDRINUSE). The stack reports the bound addresses (apiUrl, collector.address).
    collector: { bmp: { listen: '127.0.0.1:0', resyncQuietSeconds: o.resyncQuietSeconds ?? 2 } },
    api: { listen: '127.0.0.1:0' },
    eventSource: { batchSize: o.batchSize ?? 1000, batchingWindowMs: 20 },
    ...o.extra,
  });
  const logger = pino({ level: process.env.DRILL_LOG_LEVEL ?? o.logLevel ?? 'warn', base: { drill: o.name } });
  const stack = await startLocalStack(cfg, {
    logger,
    hooks: {
      brokerRestartBackoffMs: { initial: 250, max: 4_000 },
      retryBackoffMs: { initial: 50, max: 2_000 },
      consumerStallMs: 10_000,
      wrapHandler,
      ...(o.faults?.skipWithdrawal ? { wrapPublisher: (p: EventPublisher) => skippingPublisher(p, o.faults!) } : {}),
      ...o.hooks,
    },
  });
  await waitUntil(async () => (await fetch(`${stack.apiUrl}/readyz`)).status === 200, 'the drill stack to be ready', 120_000);
  return {
    stack,
    cfg,
    bmpPort: stack.collector.address.port,
    delivery: delivery!,
    async stop() {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * True once `events` distinct route events reached the MAC index and every mapping's lag is 0: the index will not change
 * any more, so a host still missing is lost (not late).
 */
export async function settled(ds: DrillStack, events: number): Promise<boolean> {
  if (ds.delivery.distinct.size < events) return false;
  const lag = await ds.stack.runner.lag().catch(() => undefined);
  return lag !== undefined && Object.values(lag).every((n) => n === 0);
}

/** Waits until every mapping has consumed everything (lag 0 twice in a row), returns how long it took. */
export async function drained(stack: LocalStack, timeoutMs = 600_000): Promise<number> {
  const t0 = Date.now();
  let zeros = 0;
  await waitUntil(
    async () => {
      const lag = await stack.runner.lag().catch(() => undefined);
      zeros = lag && Object.values(lag).every((n) => n === 0) ? zeros + 1 : 0;
      return zeros >= 2;
    },
    'the event-source lag to drain',
    timeoutMs,
    250,
  );
  return Date.now() - t0;
}
