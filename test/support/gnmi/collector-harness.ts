/** A gNMI collector on a recording publisher, with short timers and a silent (or capturing) logger. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { GnmiTarget, GnmiTimers, SubscriptionSet } from '../../../collector/gnmi/config.js';
import { type GnmiCollector, startGnmiCollector } from '../../../collector/gnmi/gnmi-collector.js';
import type { NormalizationRule } from '../../../collector/gnmi/normalize/rule.js';
import { TOPICS } from '../../../schemas/topics.js';
import { RecordingPublisher } from '../recording-publisher.js';

export const FAST_TIMERS: Partial<GnmiTimers> = { reconnectMinMs: 50, reconnectMaxMs: 400, syncTimeoutMs: 2_000, connectTimeoutMs: 1_000, secondMs: 100 };

export function target(name: string, address: string, o: Partial<GnmiTarget> = {}): GnmiTarget {
  return { name, address, fabric: 'dc1', tls: { enabled: false }, subscriptions: [sampleSet()], ...o };
}

export function sampleSet(o: Partial<SubscriptionSet> = {}): SubscriptionSet {
  return { name: 'vxlan', mode: 'sample', sampleIntervalSeconds: 1, paths: ['openconfig:/network-instances'], ...o };
}

export interface Harness {
  collector: GnmiCollector;
  publisher: RecordingPublisher;
  registry: Registry;
  /** Every log line, as written. */
  logLines: string[];
  samples(device?: string): Record<string, any>[];
  events(device?: string): Record<string, any>[];
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

export function startHarness(
  targets: GnmiTarget[],
  o: { timers?: Partial<GnmiTimers>; normalize?: NormalizationRule[]; publishUnmapped?: boolean } = {},
): Harness {
  const publisher = new RecordingPublisher();
  const registry = new Registry();
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logLines.push(String(chunk));
      cb();
    },
  });
  const collector = startGnmiCollector({
    targets,
    publisher,
    registry,
    logger: pino({ level: 'debug' }, sink),
    collectorId: 'test-collector',
    timers: { ...FAST_TIMERS, ...o.timers },
    normalize: o.normalize,
    publishUnmapped: o.publishUnmapped,
  });
  const all = (): Record<string, any>[] => publisher.events.filter((e) => e.topic === TOPICS.vtepTelemetry).map((e) => ({ ...e.value, _key: e.key }));
  return {
    collector,
    publisher,
    registry,
    logLines,
    samples: (device) => all().filter((s) => s.kind !== 'SAMPLE_KIND_TARGET' && (!device || s.device === device)),
    events: (device) => all().filter((s) => s.kind === 'SAMPLE_KIND_TARGET' && (!device || s.device === device)),
    metricsText: () => registry.metrics(),
    stop: () => collector.stop(),
  };
}

/** The value of one metric line (`name{labels} value`), or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
