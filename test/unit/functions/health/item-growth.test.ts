/**
 * No health item is keyed so that it grows with the number of devices (issue #21): the same minutes of gNMI counters
 * from 4 devices and from 40 leave items of the same largest size, and each device's rates in items of its own; the
 * fabric history still reads every device's rates, through key queries only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthHandler } from '../../../../functions/health/handler.js';
import type { Item } from '../../../../functions/shared/store/table-store.js';
import { healthTable } from '../../../../schemas/tables/index.js';
import { TOPICS } from '../../../../schemas/topics.js';
import { counterSample, encodeSamples, mskEventOf } from '../../../support/health-events.js';
import { ADAPTERS, type OpenedStore, openStore, scanAll } from '../../../support/store-adapters.js';

const T0 = Date.parse('2026-12-07T10:00:00Z');

/** The health table after `devices` devices each sent 4 minutes of encap/decap counters, and the handler that read them. */
async function fabricOf(store: OpenedStore, devices: number) {
  const table = await store.freshTable(healthTable);
  const now = T0 + 5 * 60_000;
  const h = createHealthHandler({
    tables: { health: table, index: store.index },
    fabrics: [{ name: 'g1', expectedVteps: [] }],
    options: { gnmiIntervalSeconds: 60 },
    now: () => now,
  });
  const samples = [];
  for (let d = 0; d < devices; d++)
    for (let m = 0; m < 4; m++)
      for (const name of ['total-encap-pkts', 'total-decap-pkts'])
        samples.push(
          counterSample({
            fabric: 'g1',
            device: `leaf${d}`,
            vtep: `10.0.${d >> 8}.${d & 255}`,
            name,
            value: BigInt((m + 1) * 6000 * (d + 1)),
            tsMs: T0 + m * 60_000,
          }),
        );
  const res = await h(mskEventOf(TOPICS.vtepTelemetry, [{ offset: 0, timestamp: now, value: encodeSamples(samples) }]));
  expect(res?.batchItemFailures ?? []).toEqual([]);
  const items = await scanAll(table);
  return { h, items, now };
}

const size = (it: Item) => Buffer.byteLength(JSON.stringify(it));
/** Attributes or values of an item that name a device (`leafN`). */
const deviceNames = (it: Item) => new Set([...JSON.stringify(it).matchAll(/leaf\d+/g)].map((m) => m[0])).size;

describe.each(ADAPTERS)('health items and the number of devices (%s store)', (adapter) => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  it('no item grows with the number of devices; each names one device at most; the history reads them all', async () => {
    // Arrange / act: the same telemetry from 4 and from 40 devices.
    const small = await fabricOf(store, 4);
    const large = await fabricOf(store, 40);

    // Assert: the largest item is no larger with 40 devices (device names one digit longer aside)…
    const largest = (items: Item[]) => Math.max(...items.map(size));
    expect(largest(large.items)).toBeLessThanOrEqual(largest(small.items) + 64);
    // …no item names more than one device…
    expect(Math.max(...large.items.map(deviceNames))).toBe(1);
    // …there is one rates item per device and minute with rates…
    const rateItems = large.items.filter((it) => /^F#g1#R#\d\d$/.test(it.pk));
    expect(new Set(rateItems.map((it) => it.device)).size).toBe(40);
    // …and the history (key queries on the minute partition and the rate shards) still sees every device's rates.
    const minutes = await large.h.reader.minutes('g1', '2026-12-07T09:00');
    const withRates = minutes.filter((m) => Object.keys(m).some((k) => k.startsWith('d:')));
    expect(withRates.length).toBeGreaterThan(0);
    expect(Math.max(...withRates.map((m) => Object.keys(m).filter((k) => k.startsWith('d:')).length))).toBe(40);
  });
});
