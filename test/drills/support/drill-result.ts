/** One row of the drills table, and the table itself. */
export interface DrillResult {
  id: number;
  name: string;
  /** What was done, in a few words. */
  what: string;
  /** Route events published by the collector (distinct), or messages sent for the fuzz drill. */
  eventsIn: number;
  /** Route events delivered to the MAC index (redeliveries included), or what the drill counts as out. */
  eventsOut: number;
  /** Of eventsOut: redeliveries (duplicates are allowed, and counted). */
  duplicates: number;
  /** MACs whose location, IPs, ESI or alert state differ from the undisturbed run (or the expected state). */
  indexDiffs: number;
  /** From the fault to everything processed, ms (undefined: no fault to recover from). */
  recoverMs: number | undefined;
  /** Further figures the drill reports (lag, latency, RSS, …). */
  figures: Record<string, string>;
  /** Assertions that failed; empty = the drill passed. */
  failures: string[];
  durationMs: number;
}

export function check(r: Pick<DrillResult, 'failures'>, ok: boolean, what: string): void {
  if (!ok) r.failures.push(what);
}

const fmtMs = (ms: number | undefined) => (ms === undefined ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : `${(ms / 1000).toFixed(1)} s`);

export function formatTable(rows: DrillResult[]): string {
  const head = ['#', 'drill', 'what was done', 'events in', 'events out (dup)', 'index diffs', 'recover', 'result'];
  const body = rows.map((r) => [
    String(r.id),
    r.name,
    r.what,
    r.eventsIn.toLocaleString('en-US'),
    `${r.eventsOut.toLocaleString('en-US')} (${r.duplicates.toLocaleString('en-US')})`,
    String(r.indexDiffs),
    fmtMs(r.recoverMs),
    r.failures.length === 0 ? 'pass' : 'FAIL',
  ]);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((b) => `| ${b.join(' | ')} |`)];
  const notes = rows.flatMap((r) => [
    `${r.id}. ${r.name} (${fmtMs(r.durationMs)}): ${Object.entries(r.figures)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}`,
    ...r.failures.map((f) => `   FAILED: ${f}`),
  ]);
  return [...lines, '', ...notes].join('\n');
}
