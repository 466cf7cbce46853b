/**
 * `npm run bench`: runs every bench/*.bench.ts in its own Node process (so one benchmark's heap and JIT state do not
 * colour the next) and prints their figures. `npm run bench -- decode` runs only the files whose name contains "decode".
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_NODE_FLAGS } from '../scripts/stack-node-flags.mjs';

const dir = import.meta.dirname;
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0) {
  console.error(`no benchmarks match ${filters.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const started = Date.now();
  // The stack's benchmarks run with the node flags `npm start` gives the stack (scripts/start.mjs).
  const flags = file.startsWith('stack-') ? STACK_NODE_FLAGS : [];
  const r = spawnSync(process.execPath, [...flags, '--expose-gc', '--import', 'tsx', join(dir, file)], { stdio: 'inherit' });
  console.log(`=== ${file}: ${r.status === 0 ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
