/**
 * Session epochs in the MAC index: a path's events order by (epoch, collector sequence), whatever the collectors'
 * clocks; events without an epoch (before epochs existed) order before any with one; a RESYNC_COMPLETE withdraws the
 * router's paths of older epochs (a collector restarted and cannot name what was withdrawn meanwhile) and keeps the
 * ones re-sent in the new epoch, also when their partition is behind the sessions partition.
 */
import type { MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler, type MacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { epochFloor, ordOf } from '../../../../functions/mac-index/route-changes.js';
import { type IRouteEvent, SessionEvent, SessionEventKind } from '../../../../schemas/events.js';
import { u64 } from '../../../../schemas/long.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { startTestStore } from '../../../support/dynalite.js';
import { macRoute, mskBatch } from '../../../support/route-events.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

/** The route reflector reporting (one per test: a resync concerns all of its router's segments). */
let RR = '10.255.0.1';
/** A route event of the route reflector in a session epoch, with a collector sequence (a collector's clock). */
const ev = (mac: string, vtep: string, epoch: number, seq: bigint, withdraw = false, vni = 10100): IRouteEvent => ({
  ...macRoute({ mac, vtep, fabric: 'dc1', router: RR, withdraw, vni, rd: `${RR}:1` }),
  collectorSeq: u64(seq),
  ...(epoch > 0 ? { sessionEpoch: u64(BigInt(epoch)) } : {}),
});
const resyncComplete = (epoch: number, atMs: number, offset = 0): MSKEvent => {
  const value = SessionEvent.encode({
    kind: SessionEventKind.SESSION_EVENT_KIND_RESYNC_COMPLETE,
    fabric: 'dc1',
    router: { address: RR, bgpId: RR },
    sessionEpoch: u64(BigInt(epoch)),
  }).finish();
  const rec = {
    topic: TOPICS.sessions,
    partition: 0,
    offset,
    timestamp: atMs,
    timestampType: 'CREATE_TIME',
    key: null,
    value: Buffer.from(value).toString('base64'),
    headers: [],
  };
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:test',
    bootstrapServers: 'test',
    records: { [`${TOPICS.sessions}-0`]: [rec] },
  } as unknown as MSKEvent;
};
const newHandler = (): MacIndexHandler => createMacIndexHandler({ ddb: store.doc, tableName: store.indexTable });
let n = 0;
const macs = () => {
  n++;
  RR = `10.255.0.${n}`;
  return (k: number) => `02:e0:00:${n.toString(16).padStart(2, '0')}:00:${k.toString(16).padStart(2, '0')}`;
};

describe('session epochs', () => {
  it('ords compare as strings: epoch first, then sequence; events without an epoch before any with one', () => {
    expect(ordOf(5n, 2n) > ordOf(9n ** 20n, 1n)).toBe(true); // a later epoch wins over any sequence (a clock gone back)
    expect(ordOf(6n, 2n) > ordOf(5n, 2n)).toBe(true);
    expect(ordOf(1n, 1n) > ordOf(BigInt(Date.now()) << 20n)).toBe(true); // read-compat: old events are older
    expect(ordOf(7n) > ordOf(6n)).toBe(true);
    expect(ordOf(1n, 3n) > epochFloor(3n) && epochFloor(3n) > ordOf(2n ** 63n, 2n)).toBe(true);
  });

  it('a later session epoch wins even when its collector clock is behind (another task, a clock that jumped back)', async () => {
    const h = newHandler();
    const mac = macs()(1);
    const late = BigInt(Date.parse('2026-11-24T12:00:00Z')) << 20n;
    const early = BigInt(Date.parse('2026-11-24T09:00:00Z')) << 20n; // the new session's collector clock is 3 h behind
    await h(mskBatch([{ ev: ev(mac, '10.1.0.1', 10, late), atMs: T0 }]));
    await h(mskBatch([{ ev: ev(mac, '10.1.0.2', 20, early), atMs: T0 + 1000 }]));
    expect((await h.store.getMacItem(mac, 10100))?.location?.vtep).toBe('10.1.0.2');
    // A replay of the older epoch's event changes nothing.
    await h(mskBatch([{ ev: ev(mac, '10.1.0.1', 10, late + 5n), atMs: T0 + 2000 }]));
    expect((await h.store.getMacItem(mac, 10100))?.location?.vtep).toBe('10.1.0.2');
  });

  it('orders events without an epoch (written before epochs) before the first with one', async () => {
    const h = newHandler();
    const mac = macs()(1);
    await h(mskBatch([{ ev: ev(mac, '10.1.0.1', 0, BigInt(Date.now()) << 20n), atMs: T0 }]));
    await h(mskBatch([{ ev: ev(mac, '10.1.0.2', 1, 1n), atMs: T0 + 1000 }]));
    expect((await h.store.getMacItem(mac, 10100))?.location?.vtep).toBe('10.1.0.2');
  });

  it('a completed resync withdraws the paths of older epochs not re-sent, keeps the re-sent ones, in every segment', async () => {
    const h = newHandler();
    const m = macs();
    // Epoch 3: four MACs in two VNIs.
    await h(
      mskBatch([
        { ev: ev(m(1), '10.1.0.1', 3, 100n), atMs: T0 },
        { ev: ev(m(2), '10.1.0.1', 3, 101n), atMs: T0 },
        { ev: ev(m(3), '10.1.0.2', 3, 102n, false, 10200), atMs: T0 },
        { ev: ev(m(4), '10.1.0.2', 3, 103n, false, 10200), atMs: T0 },
      ]),
    );
    const segWrites = h.store.routerSegmentWrites;
    expect(segWrites).toBe(3); // one per (router, segment) and per (router, epoch), not per MAC
    await h(resyncComplete(3, T0 + 1000));
    expect(h.stats.resyncScans).toBe(0); // the router's first epoch: nothing older to look for
    // The collector restarted; m(2) and m(4) were withdrawn meanwhile. Epoch 9 re-sends m(1) unchanged and m(3) moved.
    await h(
      mskBatch([
        { ev: ev(m(1), '10.1.0.1', 9, 5n), atMs: T0 + 60_000 },
        { ev: ev(m(3), '10.1.0.3', 9, 6n, false, 10200), atMs: T0 + 60_000 },
      ]),
    );
    expect(h.store.routerSegmentWrites).toBe(segWrites + 1); // a warm instance writes segments once; epoch 9 is new
    await h(resyncComplete(9, T0 + 61_000));
    expect(h.stats.resyncScans).toBe(1);
    const loc = async (k: number, vni = 10100) => (await h.store.getMacItem(m(k), vni))?.location?.vtep;
    expect(await loc(1)).toBe('10.1.0.1');
    expect(await loc(2)).toBeUndefined();
    expect(await loc(3, 10200)).toBe('10.1.0.3');
    expect(await loc(4, 10200)).toBeUndefined();
    expect(h.stats.resyncWithdrawn).toBe(2);
    // Redelivered, it withdraws nothing more (and scans nothing: the older epoch is done with).
    await h(resyncComplete(9, T0 + 61_000));
    expect(h.stats.resyncWithdrawn).toBe(2);
    expect(h.stats.resyncScans).toBe(1);
    // A route of the new epoch whose partition was behind the sessions partition still lands after the resync.
    await h(mskBatch([{ ev: ev(m(2), '10.1.0.1', 9, 7n), atMs: T0 + 62_000 }]));
    expect(await loc(2)).toBe('10.1.0.1');
  });

  it('a fresh instance (cold cache) finds the router segments written by another', async () => {
    const m = macs();
    await newHandler()(mskBatch([{ ev: ev(m(1), '10.1.0.1', 4, 1n, false, 10300), atMs: T0 }]));
    const other = newHandler();
    await other(resyncComplete(5, T0 + 1000));
    expect((await other.store.getMacItem(m(1), 10300))?.location).toBeUndefined();
  });
});
