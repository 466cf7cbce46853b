import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeOutcome, type Outcome } from '../../../support/decode-outcome.js';

// Replays test/fixtures/corpus/bmp (README there): each input gives its recorded outcome and breaks no invariant.
const dir = join(import.meta.dirname, '../../../fixtures/corpus/bmp');
const recorded = JSON.parse(readFileSync(join(dir, 'outcomes.json'), 'utf8')) as Record<string, { note: string; outcome: Outcome }>;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => f.slice(0, -4))
  .sort();

describe('decoder corpus', () => {
  it('has a recorded outcome for every input, and an input for every outcome', () => {
    expect(files).toEqual(Object.keys(recorded).sort());
  });

  it.each(files)('%s', (name) => {
    const input = readFileSync(join(dir, `${name}.bin`));
    for (const addPath of [false, true]) {
      const { violations, outcome } = decodeOutcome(input, addPath);
      expect(violations).toEqual([]);
      if (!addPath) expect(outcome).toEqual(recorded[name]!.outcome);
    }
  });
});
