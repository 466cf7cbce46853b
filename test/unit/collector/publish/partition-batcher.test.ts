import { describe, expect, it } from 'vitest';
import { PartitionBatcher, type SealedRecord } from '../../../../collector/publish/partition-batcher.js';
import { RouteEvent, RouteEventBatch } from '../../../../schemas/events.js';

function event(i: number, extra = 0): Uint8Array {
  return RouteEvent.encode({
    mac: `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    routeKey: 'x'.repeat(extra),
    vni: i,
  }).finish();
}

function batcher(o: { maxRecordBytes?: number; maxEventsPerRecord?: number } = {}) {
  const sealed: SealedRecord[] = [];
  const b = new PartitionBatcher({
    maxRecordBytes: o.maxRecordBytes ?? 64 * 1024,
    maxEventsPerRecord: o.maxEventsPerRecord ?? 1_000,
    onSealed: (r) => sealed.push(r),
  });
  return { b, sealed };
}

const vnisOf = (r: SealedRecord) => RouteEventBatch.decode(r.value).events.map((e) => e.vni ?? 0);

describe('PartitionBatcher', () => {
  it('packs events of one partition into one RouteEventBatch record, in order', () => {
    const { b, sealed } = batcher();
    for (let i = 1; i <= 50; i++) b.append('evpn.routes.v1', i % 3, `k${i % 3}`, event(i));
    expect(sealed).toHaveLength(0);
    b.sealAll();
    expect(sealed.map((r) => r.partition).sort()).toEqual([0, 1, 2]);
    for (const r of sealed) {
      const vnis = vnisOf(r);
      expect(vnis).toEqual([...vnis].sort((a, c) => a - c));
      expect(vnis.every((v) => v % 3 === r.partition)).toBe(true);
      expect(r.events).toBe(vnis.length);
      expect(r.key).toBe(`k${r.partition}`); // all its events share the key
    }
    expect(sealed.reduce((n, r) => n + r.events, 0)).toBe(50);
    expect(b.hasOpen).toBe(false);
  });

  it('gives a record no key when its events have different keys', () => {
    const { b, sealed } = batcher();
    b.append('t', 0, 'aa', event(1));
    b.append('t', 0, 'bb', event(2));
    b.append('t', 0, 'aa', event(3));
    b.sealAll();
    expect(sealed[0]!.key).toBeNull();
  });

  it('seals a record when the next event would not fit, and at the event limit', () => {
    const { b, sealed } = batcher({ maxRecordBytes: 1_000, maxEventsPerRecord: 1_000 });
    for (let i = 0; i < 100; i++) b.append('t', 0, 'k', event(i, 80));
    b.sealAll();
    expect(sealed.length).toBeGreaterThan(5);
    for (const r of sealed) expect(r.value.length).toBeLessThanOrEqual(1_000);
    expect(sealed.flatMap(vnisOf)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const small = batcher({ maxEventsPerRecord: 7 });
    for (let i = 0; i < 20; i++) small.b.append('t', 0, 'k', event(i));
    expect(small.sealed.map((r) => r.events)).toEqual([7, 7]);
  });

  it('gives an event larger than the record size a record of its own', () => {
    const { b, sealed } = batcher({ maxRecordBytes: 200 });
    b.append('t', 0, 'k', event(1));
    b.append('t', 0, 'k', event(2, 1_000));
    b.append('t', 0, 'k', event(3));
    b.sealAll();
    expect(sealed.map(vnisOf)).toEqual([[1], [2], [3]]);
    expect(RouteEventBatch.decode(sealed[1]!.value).events[0]!.routeKey).toHaveLength(1_000);
  });

  it('writes lengths of several varint bytes correctly', () => {
    const { b, sealed } = batcher({ maxRecordBytes: 1 << 20 });
    for (const n of [0, 127, 128, 16_383, 16_384, 300_000]) b.append('t', 0, 'k', event(n, n));
    b.sealAll();
    expect(RouteEventBatch.decode(sealed[0]!.value).events.map((e) => e.routeKey?.length)).toEqual([0, 127, 128, 16_383, 16_384, 300_000]);
  });

  it('does not hand out a buffer it goes on writing into', () => {
    const { b, sealed } = batcher({ maxRecordBytes: 4_096 });
    b.append('t', 0, 'k', event(1));
    b.sealAll(); // a small record is copied out and the buffer reused
    b.append('t', 0, 'k', event(2));
    b.sealAll();
    expect(sealed.map(vnisOf)).toEqual([[1], [2]]);
  });

  it('counts what the events weigh in the publisher buffer', () => {
    const { b, sealed } = batcher();
    const e = event(5);
    b.append('t', 0, 'key', e);
    b.append('t', 0, 'key', e);
    b.sealAll();
    expect(sealed[0]!.accounted).toBe(2 * (e.length + 3));
  });
});
