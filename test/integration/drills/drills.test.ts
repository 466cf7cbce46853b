/**
 * The fault drills, short (test/drills/sizes.ts 'short'): every drill of `npm run drills` but the scale drill, each
 * with its own stack (its own broker and store: drills kill and starve them), asserting what the full drill asserts.
 * Routers (GoBGP, FRR) only on 127.0.7.0/24.
 */
import { describe, expect, it } from 'vitest';
import { DRILLS } from '../../drills/drills.js';
import { formatTable } from '../../drills/support/drill-result.js';

describe('fault drills (short)', () => {
  for (const d of DRILLS.filter((x) => x.id !== 7)) {
    it(`drill ${d.id}: ${d.name}`, async () => {
      const r = await d.run('short');
      console.log(formatTable([r]));
      expect(r.failures).toEqual([]);
    }, 300_000);
  }
});
