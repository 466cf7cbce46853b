import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { ZERO_ESI } from '../../../../schemas/ethernet-segment.js';
import { RibView } from '../../../../schemas/events.js';
import { startTestStore } from '../../../support/dynalite.js';
import { mulberry32 } from '../../../support/rng.js';
import { macRoute, mskBatch, perEsAd, type Timed } from '../../../support/route-events.js';

let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

const MACS = ['02:aa:00:00:00:01', '02:aa:00:00:00:02', '02:aa:00:00:00:03'];
const VTEPS = [
  { vtep: '10.1.0.1', fabric: 'dc1', esi: ZERO_ESI },
  { vtep: '10.1.0.2', fabric: 'dc1', esi: '00:22:22:22:22:22:22:22:22:22' },
  { vtep: '10.1.0.3', fabric: 'dc1', esi: '00:22:22:22:22:22:22:22:22:22' },
  { vtep: '10.2.0.1', fabric: 'dc2', esi: ZERO_ESI },
];

const step = fc.record({
  mac: fc.integer({ min: 0, max: MACS.length - 1 }),
  vtep: fc.integer({ min: 0, max: VTEPS.length - 1 }),
  withdraw: fc.boolean(),
  seq: fc.integer({ min: 0, max: 4 }),
  view: fc.constantFrom(RibView.RIB_VIEW_ADJ_RIB_IN_PRE, RibView.RIB_VIEW_LOC_RIB),
  ad: fc.boolean(),
});

/**
 * What a reader sees: every item, without the bookkeeping of one particular delivery (item versions, the sequence
 * marks used to recognise repeats, write times), and with the sharded fabric counters summed per fabric.
 */
async function snapshot(table: string) {
  const items = (await store.doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
  const counters = new Map<string, number>();
  const rest = [];
  for (const it of items) {
    if (String(it.pk).startsWith('FABRIC#') && String(it.sk).startsWith('COUNT#')) {
      counters.set(String(it.pk), (counters.get(String(it.pk)) ?? 0) + Number(it.macs));
      continue;
    }
    // The fabric registry ("ever seen" VNIs/VTEPs) and per-minute move counts describe the deliveries themselves
    // (a retried batch may briefly show an intermediate location); they are dashboard figures, not the index.
    if (String(it.pk).startsWith('FABRIC')) continue;
    const { version: _v, updatedMs: _u, ...clean } = it;
    // Tombstones (withdrawn paths kept to reject late replays) are invisible to readers.
    if (clean.paths)
      clean.paths = Object.fromEntries(
        Object.entries(clean.paths as Record<string, Record<string, unknown>>)
          .filter(([, p]) => !p.withdrawn)
          .map(([k, p]) => [k, { ...p, ord: undefined }]),
      );
    rest.push(clean);
  }
  rest.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
  return { items: rest, counters: Object.fromEntries([...counters].filter(([, n]) => n !== 0).sort()) };
}

describe('mac-index convergence', () => {
  it('converges to the in-order index under duplicates, retried batches and shuffles between partitions', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 6 }), fc.integer(), async (steps, batchSize, seed) => {
        run++;
        // One table per delivery so the two runs cannot see each other.
        const tag = `r${run}`;
        const events: Timed[] = steps.map((s, i) => {
          const v = VTEPS[s.vtep]!;
          const ev = s.ad
            ? perEsAd({ esi: '00:22:22:22:22:22:22:22:22:22', vtep: v.vtep, fabric: v.fabric, withdraw: s.withdraw })
            : macRoute({
                mac: MACS[s.mac]!.replace('aa', tag.slice(-2).padStart(2, '0')),
                vtep: v.vtep,
                fabric: v.fabric,
                esi: v.esi,
                seq: s.seq,
                view: s.view,
                withdraw: s.withdraw,
              });
          // Type-2 events of one MAC share a partition (keyed by MAC); A-D routes go to their own partition.
          return { ev, atMs: 1_800_000_000_000 + i * 1000, partition: s.ad ? 9 : s.mac, offset: i };
        });

        const inOrder = await startTableHandler(`${tag}a`);
        for (let i = 0; i < events.length; i += batchSize) await inOrder.h(mskBatch(events.slice(i, i + batchSize)));

        const messy = await startTableHandler(`${tag}b`);
        const rnd = mulberry32(seed);
        // Per-partition order is kept; partitions interleave at random; some batches are delivered twice.
        const queues = new Map<number, Timed[]>();
        for (const e of events) queues.set(e.partition!, [...(queues.get(e.partition!) ?? []), e]);
        while ([...queues.values()].some((q) => q.length)) {
          const live = [...queues.entries()].filter(([, q]) => q.length);
          const [p, q] = live[Math.floor(rnd() * live.length)]!;
          const n = 1 + Math.floor(rnd() * batchSize);
          const batch = q.slice(0, n);
          queues.set(p, q.slice(n));
          await messy.h(mskBatch(batch));
          if (rnd() < 0.3) await messy.h(mskBatch(batch)); // a retried batch
          if (rnd() < 0.2)
            await messy.h(
              mskBatch(
                events
                  .filter((e) => e.partition === p)
                  .slice(0, Math.max(1, events.indexOf(batch[0]!)))
                  .filter((e) => e.partition === p),
              ),
            ); // a replay from an older offset
        }
        expect(await snapshot(messy.table)).toEqual(await snapshot(inOrder.table));
      }),
      { numRuns: 40 },
    );
  });
});

async function startTableHandler(_tag: string) {
  const { ensureTables } = await import('../../../../infra/local/ensure-tables.js');
  const prefix = `p${Math.random().toString(36).slice(2, 8)}-`;
  await ensureTables(store.client, prefix);
  const table = `${prefix}index`;
  return { table, h: createMacIndexHandler({ ddb: store.doc, tableName: table }) };
}
