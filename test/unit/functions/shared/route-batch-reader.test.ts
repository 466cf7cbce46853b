/** The batch reader the route-consuming handlers share: what it takes, what it hands back, what it skips and logs. */
import type { MSKEvent } from 'aws-lambda';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type Context, DeadlineHandBackError } from '../../../../functions/shared/msk.js';
import { RouteBatchReader, type TakenRecord } from '../../../../functions/shared/route-batch-reader.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { macRoute, packedMskBatch, type Timed } from '../../../support/route-events.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const silent = pino({ level: 'silent' });

/** `n` events on each of partitions 0 and 1, `perRecord` to a record. */
function batch(n: number, perRecord: number): MSKEvent {
  const items: Timed[] = [];
  for (const partition of [0, 1])
    for (let i = 0; i < n; i++) {
      const mac = `02:00:00:00:${partition.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`;
      items.push({ ev: macRoute({ mac, vtep: '10.0.0.1', fabric: 'dc1' }), atMs: T0 + i, partition });
    }
  return packedMskBatch(items, perRecord);
}

async function readAll(reader: RouteBatchReader, event: MSKEvent): Promise<TakenRecord[]> {
  const out: TakenRecord[] = [];
  for await (const t of reader.read(event)) out.push(t);
  return out;
}

const handedBack = (reader: RouteBatchReader) =>
  Object.fromEntries(reader.failures.partitions().map((p) => [p.partition, { offset: p.offset, handBack: p.err instanceof DeadlineHandBackError }]));

describe('RouteBatchReader', () => {
  it('takes every record within the budget, in offset order per partition, noting where each partition starts', async () => {
    const reader = new RouteBatchReader({ deadlineReserveMs: 1000, maxEvents: 100, log: silent });
    const taken = await readAll(reader, batch(10, 4));
    expect(taken.map((t) => `${t.src}@${t.rec.offset}`)).toEqual([0, 1].flatMap((p) => [0, 1, 2].map((o) => `${TOPICS.routes}-${p}@${o}`)));
    expect(taken.reduce((n, t) => n + (t.read.kind === 'routes' ? t.read.events.length : 0), 0)).toBe(20);
    expect(reader.taken).toBe(20);
    expect(reader.records).toBe(6);
    expect(Object.fromEntries(reader.firstOffsets)).toEqual({ [`${TOPICS.routes}-0`]: 0, [`${TOPICS.routes}-1`]: 0 });
    expect(reader.failures.response()).toBeUndefined();
  });

  it('hands back the record that would pass the event budget and every later record of its partition', async () => {
    // 4 events a record: 3 records (12 events) fit a budget of 13, the 4th does not; partition 1 then gets nothing.
    const reader = new RouteBatchReader({ deadlineReserveMs: 0, maxEvents: 13, log: silent });
    const taken = await readAll(reader, batch(20, 4));
    expect(taken.map((t) => `${t.src}@${t.rec.offset}`)).toEqual([0, 1, 2].map((o) => `${TOPICS.routes}-0@${o}`));
    expect(handedBack(reader)).toEqual({ [`${TOPICS.routes}-0`]: { offset: 3, handBack: true }, [`${TOPICS.routes}-1`]: { offset: 0, handBack: true } });
    expect(reader.failures.response()?.handedBack).toEqual([`${TOPICS.routes}-0`, `${TOPICS.routes}-1`]);
  });

  it('takes the first record even past the budget (an invocation always makes progress), then stops at the deadline', async () => {
    const context = { getRemainingTimeInMillis: () => 50 } as Context;
    const reader = new RouteBatchReader({ context, deadlineReserveMs: 100, maxEvents: 2, log: silent });
    const taken = await readAll(reader, batch(8, 4));
    expect(taken.map((t) => `${t.src}@${t.rec.offset}`)).toEqual([`${TOPICS.routes}-0@0`]);
    expect(reader.taken).toBe(4);
    expect(handedBack(reader)).toEqual({ [`${TOPICS.routes}-0`]: { offset: 1, handBack: true }, [`${TOPICS.routes}-1`]: { offset: 0, handBack: true } });
  });

  it('skips and logs a record that does not decode, and reads on', async () => {
    const event = batch(4, 2);
    const first = event.records[`${TOPICS.routes}-0`]![0]!;
    first.value = Buffer.from([0x0a, 0xff, 0xff]).toString('base64'); // a length past the end
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (l: string) => lines.push(l) });
    const reader = new RouteBatchReader({ deadlineReserveMs: 0, log });
    const taken = await readAll(reader, event);
    expect(taken.map((t) => `${t.src}@${t.rec.offset}`)).toEqual([`${TOPICS.routes}-0@1`, `${TOPICS.routes}-1@0`, `${TOPICS.routes}-1@1`]);
    expect(reader.undecodableRoutes).toBe(1);
    expect(reader.records).toBe(4);
    expect(lines.join('')).toContain(`skipped a route event record that does not decode`);
    expect(lines.join('')).toContain(`${TOPICS.routes}-0@0`);
    expect(reader.failures.response()).toBeUndefined();
  });
});
