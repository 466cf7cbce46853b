import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import type { TableStore } from '../../../../functions/shared/store/table-store.js';
import { RibView } from '../../../../schemas/events.js';
import { indexTable } from '../../../../schemas/tables/index.js';
import { mulberry32 } from '../../../support/rng.js';
import { macRoute, mskBatch, PROPERTY_VTEPS, perEsAd, type Timed } from '../../../support/route-events.js';
import { ADAPTERS, type OpenedStore, openStore, scanAll } from '../../../support/store-adapters.js';

let store: OpenedStore;

const MACS = ['02:aa:00:00:00:01', '02:aa:00:00:00:02', '02:aa:00:00:00:03'];
const VTEPS = PROPERTY_VTEPS;

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
async function snapshot(table: TableStore) {
  const items = await scanAll(table);
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
    // The counters' ledger (which record made the last change of fabric) depends on batch boundaries, not the index.
    const { version: _v, updatedMs: _u, counted: _c, ...clean } = it;
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

// Moves as pairs (issue 16): the old location's withdrawal and the new one's advertisement, either first, a few
// seconds apart at most (inside macIndex.moveGapSeconds), stamped as real routers stamp them (whole seconds; GoBGP's
// withdrawals with the route's age), with duplicate records, in batches of any size.
const SITES = [
  { vtep: '10.1.0.1', fabric: 'dc1' },
  { vtep: '10.1.0.2', fabric: 'dc1' },
  { vtep: '10.2.0.1', fabric: 'dc2' },
  { vtep: '10.2.0.2', fabric: 'dc2' },
];
const hop = fc.record({
  to: fc.integer({ min: 0, max: SITES.length - 1 }),
  withdrawFirst: fc.boolean(),
  gapMs: fc.integer({ min: 0, max: 3000 }),
});
const journey = fc.record({
  start: fc.integer({ min: 0, max: SITES.length - 1 }),
  hops: fc.array(hop, { maxLength: 7 }),
  mobility: fc.boolean(), // RFC 7432 §15 sequence numbers, or none (DCI gateways re-originating)
  gobgpStamps: fc.boolean(),
  goneForGood: fc.boolean(),
  duplicates: fc.array(fc.nat(), { maxLength: 4 }),
});
type Journey = typeof journey extends fc.Arbitrary<infer T> ? T : never;

/** A MAC's events along its journey; `flip` swaps the order of every pair. Also what its history must say. */
function journeyEvents(mac: string, j: Journey, partition: number, flip: boolean) {
  const T = 1_800_000_000_000;
  const out: Timed[] = [];
  const expected: string[] = [];
  const stampOf = new Map<string, number>(); // the advertisement stamp of each VTEP's path (GoBGP stamps withdrawals so)
  const ev = (site: number, t: number, withdraw: boolean, seq: number) => {
    const s = SITES[site]!;
    const whole = Math.floor(t / 1000) * 1000; // per-peer timestamps: whole seconds
    const routerMs = withdraw && j.gobgpStamps ? (stampOf.get(s.vtep) ?? whole) : whole;
    if (!withdraw) stampOf.set(s.vtep, whole);
    out.push({ ev: macRoute({ mac, ...s, withdraw, routerMs, ...(j.mobility ? { seq } : {}) }), atMs: t, partition });
  };
  let at = j.start;
  ev(at, T, false, 0);
  j.hops.forEach((h, i) => {
    const t = T + (i + 1) * 20_000;
    const sameSite = h.to === at;
    // Back at the same VTEP is a withdrawal and a re-advertisement (advertise-first would re-send the live path).
    const withdrawFirst = sameSite || (flip ? !h.withdrawFirst : h.withdrawFirst);
    if (withdrawFirst) {
      ev(at, t, true, i);
      ev(h.to, t + h.gapMs, false, i + 1);
    } else {
      ev(h.to, t, false, i + 1);
      ev(at, t + h.gapMs, true, i);
    }
    if (!sameSite) expected.push(`move ${SITES[at]!.vtep}>${SITES[h.to]!.vtep}`);
    at = h.to;
  });
  if (j.goneForGood) {
    ev(at, T + (j.hops.length + 1) * 20_000, true, j.hops.length);
    expected.push(`disappear ${SITES[at]!.vtep}>-`);
  }
  // Duplicate records (a producer retry, a redelivery) come later in the partition; a repeat changes nothing.
  for (const d of j.duplicates) {
    const i = d % out.length;
    out.splice(i + 1 + (d % (out.length - i)), 0, { ...out[i]! });
  }
  return { events: out.map((e, offset) => ({ ...e, offset })), expected };
}

describe.each(ADAPTERS)('mac-index convergence (%s store)', (adapter) => {
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  it('finds each pair as one move (or none at the same VTEP) whichever comes first, across batches, with duplicates', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(journey, { minLength: 1, maxLength: 2 }), fc.integer({ min: 1, max: 5 }), fc.integer(), async (journeys, batchSize, seed) => {
        run++;
        const histories = async (table: TableStore, macs: string[]) => {
          const out: string[][] = [];
          for (const mac of macs) {
            const items = await scanAll(table);
            out.push(
              items
                .filter((i) => i.pk === `HIST#${mac}`)
                .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
                .map((h) => h as unknown as { kind: string; from?: { vtep: string }; to?: { vtep: string } })
                .map((h) => `${h.kind} ${h.from?.vtep ?? '-'}>${h.to?.vtep ?? '-'}`),
            );
          }
          return out;
        };
        const macs = journeys.map((_, i) => `02:ab:${(run % 256).toString(16).padStart(2, '0')}:00:00:0${i}`);
        const flat = (flip: boolean) => {
          const per = journeys.map((j, i) => journeyEvents(macs[i]!, j, i, flip));
          // Interleave the MACs by time, as the collector would publish them.
          // Offsets follow that order within each partition: Kafka's offsets only grow.
          const next = new Map<number, number>();
          const events = per
            .flatMap((p) => p.events)
            .sort((a, b) => a.atMs - b.atMs)
            .map((e) => {
              const offset = next.get(e.partition!) ?? 0;
              next.set(e.partition!, offset + 1);
              return { ...e, offset };
            });
          return { events, expected: per.map((p) => p.expected) };
        };
        const asIs = flat(false);
        const flipped = flat(true);

        const inOrder = await startTableHandler('');
        for (let i = 0; i < asIs.events.length; i += batchSize) await inOrder.h(mskBatch(asIs.events.slice(i, i + batchSize)));
        expect(await histories(inOrder.table, macs)).toEqual(asIs.expected);

        const reversed = await startTableHandler('');
        for (let i = 0; i < flipped.events.length; i += batchSize) await reversed.h(mskBatch(flipped.events.slice(i, i + batchSize)));
        expect(await histories(reversed.table, macs)).toEqual(asIs.expected);

        const messy = await startTableHandler('');
        await deliverMessily(messy.h, asIs.events, batchSize, seed);
        const want = await snapshot(inOrder.table);
        expect(want.items.filter((i) => String(i.pk).startsWith('MAC#')).length).toBe(macs.length); // not two empty tables
        expect(await snapshot(messy.table)).toEqual(want);

        // Flap alerts (5 moves in 180 s) follow the moves, and say whether they crossed fabrics.
        for (const [i, mac] of macs.entries()) {
          const moves = asIs.expected[i]!.filter((x) => x.startsWith('move'));
          const alerts = (await scanAll(reversed.table)).filter((a) => String(a.pk).startsWith('ALERT#') && a.mac === mac && a.type === 'mac-flap');
          expect(alerts.length).toBe(moves.length >= 5 ? 1 : 0);
          if (alerts.length) {
            const fabrics = new Set(
              moves.slice(0, 5).flatMap((m) =>
                m
                  .slice(5)
                  .split('>')
                  .map((v) => (v.startsWith('10.1.') ? 'dc1' : 'dc2')),
              ),
            );
            expect(alerts[0]!.crossFabric).toBe(fabrics.size > 1);
          }
        }
      }),
      { numRuns: 25 },
    );
    // Runs of a property, not a wait: a loaded 2-core machine (two unit workers) can take several times its 10 s.
  }, 180_000);

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
        await deliverMessily(messy.h, events, batchSize, seed);
        const want = await snapshot(inOrder.table);
        // Not two empty tables: a MAC advertised leaves its item (withdrawn later, its history) whatever came after.
        if (steps.some((s) => !s.ad && !s.withdraw)) expect(want.items.some((i) => String(i.pk).startsWith('MAC#'))).toBe(true);
        expect(await snapshot(messy.table)).toEqual(want);
      }),
      { numRuns: 40 },
    );
  }, 180_000);
});

/** Per-partition order is kept; partitions interleave at random; some batches are delivered twice, some replayed. */
async function deliverMessily(h: (e: ReturnType<typeof mskBatch>) => Promise<unknown>, events: Timed[], batchSize: number, seed: number) {
  const rnd = mulberry32(seed);
  const queues = new Map<number, Timed[]>();
  for (const e of events) queues.set(e.partition!, [...(queues.get(e.partition!) ?? []), e]);
  while ([...queues.values()].some((q) => q.length)) {
    const live = [...queues.entries()].filter(([, q]) => q.length);
    const [p, q] = live[Math.floor(rnd() * live.length)]!;
    const n = 1 + Math.floor(rnd() * batchSize);
    const batch = q.slice(0, n);
    queues.set(p, q.slice(n));
    await h(mskBatch(batch));
    if (rnd() < 0.3) await h(mskBatch(batch)); // a retried batch
    if (rnd() < 0.2) await h(mskBatch(events.filter((e) => e.partition === p).slice(0, Math.max(1, events.indexOf(batch[0]!))))); // a replay from an older offset
  }
}

async function startTableHandler(_tag: string) {
  const table = await store.freshTable(indexTable);
  return { table, h: createMacIndexHandler({ table }) };
}
