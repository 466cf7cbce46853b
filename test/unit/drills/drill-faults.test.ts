import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../../collector/index.js';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { RouteEvent, RouteEventBatch } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { BROKEN_VARIANTS, brokenVerdict } from '../../drills/broken.js';
import { countingHandler } from '../../drills/support/delivery-count.js';
import { type DrillFaults, droppingHandler, skippingPublisher } from '../../drills/support/drill-faults.js';
import { classify, describeDifferences, diffSnapshots, type MacState } from '../../drills/support/index-snapshot.js';
import { newResult } from '../../drills/support/route-flow.js';
import { macRoute, packedMskBatch } from '../../support/route-events.js';

const mac = (i: number) => `02:dd:00:00:00:${i.toString(16).padStart(2, '0')}`;
const events = (n: number) => Array.from({ length: n }, (_, i) => ({ ev: macRoute({ mac: mac(i), vtep: '10.1.0.1', fabric: 'dc1' }), atMs: 0 }));

/** The MACs a handler was given, in order. */
function recording(): { handler: MskHandler; macs: string[] } {
  const macs: string[] = [];
  const handler: MskHandler = async (event) => {
    for (const records of Object.values(event.records))
      for (const r of records) for (const ev of RouteEventBatch.decode(Buffer.from(r.value, 'base64')).events) macs.push(ev.mac!);
  };
  return { handler, macs };
}

describe('drill faults (the broken variants)', () => {
  it('drops the 10th route event of every 1,000, records it, and drops it again from a redelivered record', async () => {
    const inner = recording();
    const faults: DrillFaults & { dropOneIn: number } = { dropOneIn: 1_000, lost: [] };
    const h = droppingHandler(inner.handler, faults);
    await h(packedMskBatch(events(20), 4));
    await h(packedMskBatch(events(20), 4)); // the same records again (offsets 0..4): a retry
    expect(faults.lost).toEqual([`${mac(9)}|VNI#10100`]);
    expect(inner.macs.filter((m) => m === mac(9))).toEqual([]);
    expect(inner.macs.length).toBe(38);
  });

  it('skips the first MAC/IP withdrawal only, passing everything else on', () => {
    const passed: string[] = [];
    const inner = { enqueue: (_t: string, k: string) => passed.push(k) > 0 } as unknown as EventPublisher;
    const faults: DrillFaults = { skipWithdrawal: true, lost: [] };
    const p = skippingPublisher(inner, faults);
    const enc = (m: string, withdraw: boolean) => RouteEvent.encode(macRoute({ mac: m, vtep: '10.1.0.1', fabric: 'dc1', withdraw })).finish();
    p.enqueue(TOPICS.routes, mac(1), enc(mac(1), false));
    p.enqueue(TOPICS.routes, mac(2), enc(mac(2), true));
    p.enqueue(TOPICS.routes, mac(3), enc(mac(3), true));
    expect(passed).toEqual([mac(1), mac(3)]);
    expect(faults.lost).toEqual([`${mac(2)}|VNI#10100`]);
  });

  it('counts every delivery, a batch that throws included', async () => {
    const c = countingHandler(recording().handler, { failureRate: 1, random: () => 0 });
    const batch = packedMskBatch(events(3), 3);
    await expect(c.handler(batch)).rejects.toThrow(/throws on this batch/);
    await expect(c.handler(batch)).rejects.toThrow();
    expect([c.count.delivered, c.count.distinct.size, c.count.thrown]).toEqual([6, 3, 2]);
  });
});

describe('index comparison', () => {
  const at = (vtep: string): MacState => ({ fabric: 'dc1', vtep, vteps: [vtep], esi: '', ips: [], competing: [] });
  it('names lost, ghost and wrong MACs', () => {
    const diffs = diffSnapshots(
      new Map([
        ['a|VNI#1', at('10.0.0.1')],
        ['b|VNI#1', at('10.0.0.1')],
        ['c|VNI#1', at('10.0.0.1')],
      ]),
      new Map([
        ['a|VNI#1', at('10.0.0.1')],
        ['c|VNI#1', { ...at('10.0.0.1'), competing: ['10.0.0.9'] }],
        ['d|VNI#1', at('10.0.0.2')],
      ]),
    );
    expect(classify(diffs)).toMatchObject({ lost: ['b|VNI#1'], ghosts: ['d|VNI#1'] });
    expect(describeDifferences(diffs)).toMatch(/^1 lost \(b\|VNI#1\); 1 ghosts \(d\|VNI#1\); 1 wrong \(c\|VNI#1: /);
  });
});

describe('broken-variant verdict', () => {
  const variant = BROKEN_VARIANTS[0]!;
  const failed = (why: string) => ({ ...newResult(1, 'broker crash', 'x'), failures: [why] });
  it('passes only when the drill failed naming what the break lost', () => {
    const lost = { lost: [`${mac(9)}|VNI#10100`] };
    expect(brokenVerdict(failed(`index equals what was sent (1 lost (${mac(9)}|VNI#10100))`), variant, lost).failures).toEqual([]);
    expect(brokenVerdict(newResult(1, 'broker crash', 'x'), variant, lost).failures[0]).toMatch(/PASSED although/);
    expect(brokenVerdict(failed('timed out'), variant, lost).failures[0]).toMatch(/without naming/);
    expect(brokenVerdict(failed('x'), variant, { lost: [] }).failures[0]).toMatch(/lost nothing/);
  });
});

describe('drill faults: a lost host', () => {
  it('drops every copy of the 10th MAC it sees, whichever RIB view or batch it comes in', async () => {
    const inner = recording();
    const faults: DrillFaults & { dropOneIn: number } = { dropOneIn: 1_000, dropWholeMac: true, lost: [] };
    const h = droppingHandler(inner.handler, faults);
    // The second copies come on another partition (another RIB view's records), not as a redelivery.
    await h(packedMskBatch(events(12), 4));
    await h(
      packedMskBatch(
        events(12).map((e) => ({ ...e, partition: 1 })),
        4,
      ),
    );
    expect(faults.lost).toEqual([`${mac(9)}|VNI#10100`]);
    expect(inner.macs.filter((m) => m === mac(9))).toEqual([]);
  });
});
