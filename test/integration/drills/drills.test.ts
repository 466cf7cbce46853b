/**
 * The fault drills, short (test/drills/sizes.ts 'short'): every drill of `npm run drills` but the scale drill, each
 * with its own stack (its own broker and store: drills kill and starve them), asserting what the full drill asserts.
 * Routers (GoBGP, FRR) only on 127.0.7.0/24. Drills 1-6 run side by side: each mostly waits (broker starts and
 * restarts, quiet times, back-off) and nothing is shared but the machine. The fuzz drill runs alone after them: it
 * measures the process's memory.
 */
import { describe, expect, it } from 'vitest';
import { DRILLS, type Drill } from '../../drills/drills.js';
import { formatTable } from '../../drills/support/drill-result.js';

const run = (d: Drill) => async () => {
  const r = await d.run('short');
  console.log(formatTable([r]));
  expect(r.failures).toEqual([]);
};

describe.concurrent('fault drills (short), side by side', () => {
  for (const d of DRILLS.filter((x) => x.id !== 7 && x.id !== 8)) it(`drill ${d.id}: ${d.name}`, run(d), 420_000);
});

describe('fault drills (short), alone', () => {
  for (const d of DRILLS.filter((x) => x.id === 8)) it(`drill ${d.id}: ${d.name}`, run(d), 300_000);
});
