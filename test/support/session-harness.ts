/**
 * A BmpSession without a socket, for tests of what the collector publishes for given BMP messages: the session's
 * state, metrics and publisher are real; only the TCP connection is left out (messages are handed to it directly).
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { FabricResolver, type FabricRule } from '../../collector/fabric/fabric-resolver.js';
import { createCollectorMetrics } from '../../collector/metrics.js';
import { BmpSession, type SessionContext } from '../../collector/session/bmp-session.js';
import type { AttributeSummary } from '../../collector/session/route-labels.js';
import { CollectorState } from '../../collector/state/collector-state.js';
import { TOPICS } from '../../schemas/topics.js';
import { RecordingPublisher } from './recording-publisher.js';

export const HARNESS_NOW_US = 1_800_000_000_123_456n;

export function sessionHarness(o: { fabrics?: FabricRule[]; address?: string; resyncQuietMs?: number } = {}) {
  const registry = new Registry();
  const publisher = new RecordingPublisher();
  let seq = 0n;
  const ctx: SessionContext = {
    state: new CollectorState<AttributeSummary>(),
    owners: new Map(),
    publisher,
    resolver: new FabricResolver(o.fabrics ?? []),
    metrics: createCollectorMetrics(registry),
    logger: pino({ level: 'silent' }),
    collectorId: 'test',
    nextSeq: () => ++seq,
    resyncQuietMs: o.resyncQuietMs ?? 60_000,
    nowUs: () => HARNESS_NOW_US,
  };
  const closed: string[] = [];
  const open = (address = o.address ?? '127.0.0.1') => new BmpSession(address, ctx, () => closed.push(address));
  const session = open();
  const routes = () => publisher.events.filter((e) => e.topic === TOPICS.routes).map((e) => e.value);
  const sessions = () => publisher.events.filter((e) => e.topic === TOPICS.sessions).map((e) => e.value);
  /** A counter's value (with labels "a=b" as `{a="b"}`), 0 when absent. */
  const metric = async (name: string, labels = ''): Promise<number> => {
    const text = await registry.getSingleMetricAsString(name);
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  return { ctx, session, open, closed, publisher, routes, sessions, metric, registry };
}
