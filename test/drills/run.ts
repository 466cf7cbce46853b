/**
 * `npm run drills`: the fault drills at full size, one after the other, then one table (a row per drill) and a non-zero
 * exit when any drill failed. `npm run drills -- 1 3` runs some; `DRILLS_SIZE=short` runs the sizes `npm test` uses.
 * Sizes and durations are in ./sizes.ts (each overridable by an environment variable named there).
 */
import { DRILLS } from './drills.js';
import { type DrillResult, formatTable } from './support/drill-result.js';

// The AWS SDK's Node-version notice, as in vitest.config.ts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Interrupted: exit through process.exit, whose handlers kill the brokers the drills started.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
const only = process.argv.slice(2).map(Number).filter(Boolean);
const size = process.env.DRILLS_SIZE === 'short' ? 'short' : 'full';
const rows: DrillResult[] = [];
for (const d of DRILLS) {
  if (only.length && !only.includes(d.id)) continue;
  process.stderr.write(`drill ${d.id} (${d.name}, ${size}) started ${new Date().toISOString()}\n`);
  const t0 = Date.now();
  try {
    rows.push(await d.run(size));
  } catch (err) {
    rows.push({
      id: d.id,
      name: d.name,
      what: 'did not complete',
      eventsIn: 0,
      eventsOut: 0,
      duplicates: 0,
      indexDiffs: 0,
      recoverMs: undefined,
      figures: {},
      failures: [err instanceof Error ? (err.stack ?? err.message) : String(err)],
      durationMs: Date.now() - t0,
    });
  }
  const last = rows[rows.length - 1]!;
  process.stderr.write(`drill ${d.id} ${last.failures.length ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${formatTable([last])}\n`);
}
console.log(formatTable(rows));
process.exit(rows.every((r) => r.failures.length === 0) ? 0 : 1);
