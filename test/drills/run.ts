/**
 * `npm run drills`: the fault drills at full size, one after the other, then one table (a row per drill), a closing line
 * `N passed, N failed` and a non-zero exit when any drill failed. `npm run drills -- 1 3` runs some.
 * `npm run drills -- --short` is what CI runs after `npm test`: every drill but the scale drill at the short sizes
 * (drills 1-6 side by side: each mostly waits on broker restarts, quiet times and back-off; the fuzz drill alone after
 * them, since it measures memory), then the broken variants (./broken.ts): each must FAIL, naming what was lost.
 * `--broken` runs only the broken variants. Sizes and durations are in ./sizes.ts (each overridable by an environment
 * variable named there); `DRILLS_SIZE=short` picks the short sizes without the rest of `--short`.
 */
import { Command } from 'commander';
import { BROKEN_VARIANTS, type BrokenVariant, brokenVerdict } from './broken.js';
import { DRILLS, type Drill } from './drills.js';
import type { Size } from './sizes.js';
import { type DrillResult, formatTable } from './support/drill-result.js';

// The AWS SDK's Node-version notice, as in vitest.config.ts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Interrupted: exit through process.exit, whose handlers kill the brokers the drills started.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

const program = new Command()
  .name('drills')
  .argument('[ids...]', 'drill numbers to run (default: all)')
  .option('--short', 'short sizes, every drill but 7, then the broken variants (what CI runs)')
  .option('--broken', 'only the broken variants (each must fail, naming what was lost)')
  .parse();
const opts = program.opts<{ short?: boolean; broken?: boolean }>();
const only = program.args.map(Number).filter(Boolean);
const size: Size = opts.short || opts.broken || process.env.DRILLS_SIZE === 'short' ? 'short' : 'full';

/** A drill run whose throw becomes a failed row, as a drill that did not complete. */
async function runOne(id: number, name: string, at: Size, run: () => Promise<DrillResult>): Promise<DrillResult> {
  process.stderr.write(`drill ${id} (${name}, ${at}) started ${new Date().toISOString()}\n`);
  const t0 = Date.now();
  let r: DrillResult;
  try {
    r = await run();
  } catch (err) {
    r = {
      id,
      name,
      what: 'did not complete',
      eventsIn: 0,
      eventsOut: 0,
      duplicates: 0,
      indexDiffs: 0,
      recoverMs: undefined,
      figures: {},
      failures: [err instanceof Error ? (err.stack ?? err.message) : String(err)],
      durationMs: Date.now() - t0,
    };
  }
  process.stderr.write(`drill ${id} (${name}) ${r.failures.length ? 'FAILED' : 'passed'} in ${((Date.now() - t0) / 1000).toFixed(0)} s\n${formatTable([r])}\n`);
  return r;
}

const drill = (d: Drill) => runOne(d.id, d.name, size, () => d.run(size));
/** A broken variant passes when its drill failed and named what the break lost (brokenVerdict). */
const broken = async (b: BrokenVariant) => {
  const faults = b.faults();
  // At the 'broken' sizes (sizes.ts): a variant only has to lose an event and fail.
  const r = await runOne(b.drill.id, `${b.drill.name}, broken: ${b.name}`, 'broken', () => b.drill.run('broken', faults));
  return brokenVerdict(r, b, faults);
};

const rows: DrillResult[] = [];
const wanted = (id: number) => only.length === 0 || only.includes(id);
if (opts.short) {
  rows.push(...(await Promise.all(DRILLS.filter((d) => d.id <= 6 && wanted(d.id)).map(drill))));
  for (const d of DRILLS.filter((x) => x.id === 8 && wanted(x.id))) rows.push(await drill(d));
}
if (opts.short || opts.broken) {
  for (const b of BROKEN_VARIANTS.filter((x) => wanted(x.drill.id))) rows.push(await broken(b));
} else {
  for (const d of DRILLS.filter((x) => wanted(x.id))) rows.push(await drill(d));
}
const failed = rows.filter((r) => r.failures.length > 0).length;
console.log(formatTable(rows));
console.log(`${rows.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 && rows.length > 0 ? 0 : 1);
