/**
 * The collector's Prometheus figures as CloudWatch metrics on Fargate: every interval, counters (as the increase since
 * the last export) and gauges of a prom-client registry become CloudWatch Embedded Metric Format documents, sent as
 * JSON lines to the CloudWatch agent's EMF listener (a sidecar in the task, TCP 25888), which publishes them. Locally
 * the same registry is served on /metrics.
 */
import { Socket } from 'node:net';
import type { Registry } from 'prom-client';

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    LogGroupName?: string;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

type Snapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Turns a registry snapshot into EMF documents: one per metric and label set, labels as dimensions (plus `fixed`).
 * `previous` holds the counters' last values (updated in place) so that a counter reports its increase.
 */
export function toEmfDocuments(
  snapshot: Snapshot,
  o: { namespace: string; fixed: Record<string, string>; previous: Map<string, number>; now: number; logGroupName?: string },
): EmfDocument[] {
  const docs: EmfDocument[] = [];
  for (const metric of snapshot) {
    const type = String(metric.type);
    if (type !== 'counter' && type !== 'gauge') continue;
    for (const v of metric.values) {
      const labels = Object.fromEntries(Object.entries(v.labels ?? {}).map(([k, x]) => [k, String(x)]));
      let value = v.value;
      if (type === 'counter') {
        const key = `${metric.name}${JSON.stringify(labels)}`;
        const before = o.previous.get(key) ?? 0;
        o.previous.set(key, v.value);
        value = Math.max(0, v.value - before); // a restart resets counters: count from zero again
      }
      const dims = { ...o.fixed, ...labels };
      docs.push({
        _aws: {
          Timestamp: o.now,
          ...(o.logGroupName ? { LogGroupName: o.logGroupName } : {}),
          CloudWatchMetrics: [{ Namespace: o.namespace, Dimensions: [Object.keys(dims)], Metrics: [{ Name: metric.name, Unit: 'Count' }] }],
        },
        ...dims,
        [metric.name]: value,
      });
    }
  }
  return docs;
}

export interface EmfExporter {
  /** Exports once now (also what the timer does). */
  exportNow(): Promise<number>;
  stop(): Promise<void>;
}

/** Exports `registry` every `intervalMs` to the agent at `endpoint` (tcp://host:port). Failures are logged and retried next time. */
export function startEmfExporter(o: {
  registry: Registry;
  endpoint: string;
  namespace: string;
  fixed: Record<string, string>;
  intervalMs: number;
  /** Where the agent writes the documents (its default otherwise). */
  logGroupName?: string;
  onError?: (err: unknown) => void;
}): EmfExporter {
  const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(o.endpoint);
  if (!m) throw new Error(`EMF agent endpoint: expected tcp://host:port, got "${o.endpoint}"`);
  const [host, port] = [m[1]!, Number(m[2])];
  const previous = new Map<string, number>();
  const send = (lines: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect(port, host, () => socket.end(lines, () => resolve()));
    });
  const exportNow = async () => {
    const docs = toEmfDocuments(await o.registry.getMetricsAsJSON(), {
      namespace: o.namespace,
      fixed: o.fixed,
      previous,
      now: Date.now(),
      logGroupName: o.logGroupName,
    });
    if (docs.length > 0) await send(docs.map((d) => `${JSON.stringify(d)}\n`).join(''));
    return docs.length;
  };
  const timer = setInterval(() => void exportNow().catch((err: unknown) => o.onError?.(err)), o.intervalMs);
  timer.unref();
  return {
    exportNow,
    async stop() {
      clearInterval(timer);
      await exportNow().catch((err: unknown) => o.onError?.(err));
    },
  };
}
