/** HTTP GETs against the stack's API: latencies of many concurrent clients, and percentiles. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `clients` loops each GETting `path()` until `durationMs` has passed; latencies (ms) sorted, and non-2xx answers. */
export async function apiLoad(
  base: string,
  o: { clients: number; durationMs: number; path: () => string },
): Promise<{ latencies: number[]; errors: number; requests: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + o.durationMs;
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      while (Date.now() < end) {
        const t = performance.now();
        const res = await fetch(`${base}${o.path()}`).catch(() => undefined);
        if (res) await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (!res || res.status >= 400) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { latencies, errors, requests: latencies.length };
}
