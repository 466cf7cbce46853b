import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthHandler } from '../../../../functions/health/handler.js';
import { buildFabricView } from '../../../../functions/shared/fabric-health/fabric-view.js';
import type { IVtepSample } from '../../../../schemas/events.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { startTestStore } from '../../../support/dynalite.js';
import { counterSample, encodeSamples, mskEventOf } from '../../../support/health-events.js';
import { mulberry32 } from '../../../support/rng.js';

let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MAX = (1n << 64n) - 1n;
const NAMES = ['total-encap-pkts', 'total-decap-bytes', 'drop-decap-pkts'];

/** A device's samples every 10 s for a few minutes: counters that grow, and maybe reset or wrap at 2^64. */
const deviceRun = fc.record({
  start: fc.bigInt({ min: 0n, max: MAX }),
  steps: fc.array(fc.record({ inc: fc.bigInt({ min: 0n, max: 50_000n }), reset: fc.boolean() }), { minLength: 2, maxLength: 24 }),
});

function samplesOf(device: string, vtep: string, runs: { start: bigint; steps: { inc: bigint; reset: boolean }[] }[]): IVtepSample[] {
  const out: IVtepSample[] = [];
  runs.forEach((run, n) => {
    let v = run.start;
    run.steps.forEach((s, i) => {
      v = s.reset && i % 5 === 4 ? s.inc : (v + s.inc) & MAX; // & MAX: the device's counter wraps at 2^64
      const tsMs = T0 + i * 10_000;
      out.push(counterSample({ fabric: 'pf', device, vtep, name: NAMES[n % NAMES.length]!, value: v, tsMs, rxMs: tsMs + 200, vni: n < 3 ? 0 : 100 }));
    });
  });
  return out;
}

async function freshTable() {
  const { ensureTables } = await import('../../../../infra/local/ensure-tables.js');
  const prefix = `p${Math.random().toString(36).slice(2, 8)}-`;
  await ensureTables(store.client, prefix);
  const h = createHealthHandler({
    ddb: store.doc,
    tableName: `${prefix}health`,
    indexTableName: `${prefix}index`,
    options: { gnmiIntervalSeconds: 10 },
    fabrics: [{ name: 'pf', expectedVteps: [] }],
    now: () => T0 + 600_000,
  });
  return { h, table: `${prefix}health` };
}

/** What a reader sees of the table: every item but item versions (how many writes it took is the delivery's own). */
async function contents(table: string) {
  const items = (await store.doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
  return items
    .filter((i) => i.sk !== 'STATUS')
    .map(({ version: _v, ...rest }) => rest)
    .sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

describe('health telemetry under at-least-once delivery', () => {
  it('gives the same buckets, rates and view for the same samples shuffled and duplicated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(deviceRun, { minLength: 1, maxLength: 4 }),
        fc.array(deviceRun, { minLength: 1, maxLength: 2 }),
        fc.integer(),
        async (a, b, seed) => {
          const samples = [...samplesOf('leaf1', '10.7.0.1', a), ...samplesOf('leaf2', '10.7.0.2', b)];
          const inOrder = await freshTable();
          // In order: the collector's order, batches of 8 records of 4 samples.
          const recs = [];
          for (let i = 0; i < samples.length; i += 4) recs.push({ offset: recs.length, timestamp: T0, value: encodeSamples(samples.slice(i, i + 4)) });
          for (let i = 0; i < recs.length; i += 8) await inOrder.h(mskEventOf(TOPICS.vtepTelemetry, recs.slice(i, i + 8)));

          const messy = await freshTable();
          const rnd = mulberry32(seed);
          const shuffled = [...samples, ...samples.filter(() => rnd() < 0.3)].sort(() => rnd() - 0.5);
          let offset = 0;
          for (let i = 0; i < shuffled.length; ) {
            const n = 1 + Math.floor(rnd() * 6);
            const batch = shuffled.slice(i, i + n);
            i += n;
            const event = mskEventOf(TOPICS.vtepTelemetry, [{ offset: offset++, timestamp: T0, value: encodeSamples(batch) }]);
            await messy.h(event);
            if (rnd() < 0.2) await messy.h(event); // a retried batch
          }
          const want = await contents(inOrder.table);
          expect(want.length).toBeGreaterThan(0); // samples were written: not two empty tables
          expect(await contents(messy.table)).toEqual(want);
          const now = T0 + 600_000;
          const opts = { expectedVteps: [], gnmiIntervalSeconds: 10, staleAfterIntervals: 3, rules: inOrder.h.options.rules };
          // The status as the scheduled tick leaves it (evaluations after batches are throttled, the tick's are not).
          const view = async (h: typeof inOrder.h) => {
            await h.evaluator.evaluate('pf', now);
            return buildFabricView(await h.reader.snapshot('pf', now, true), opts, now);
          };
          const v1 = await view(inOrder.h);
          expect(await view(messy.h)).toEqual(v1);
          // Never a negative or absurd rate, whatever resets and wraps the counters went through.
          for (const v of v1.vteps)
            for (const x of [v.rates?.encapPps, v.rates?.decapBps, v.rates?.dropsPps]) if (typeof x === 'number') expect(x).toBeGreaterThanOrEqual(0);
          for (const v of v1.vteps) if (typeof v.rates?.encapPps === 'number') expect(v.rates.encapPps).toBeLessThan(50_000);
        },
      ),
      { numRuns: 25 },
    );
  });
});
