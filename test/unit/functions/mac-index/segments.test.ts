import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/handler.js';
import { createMacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { INDEX_SCHEMA_VERSION, migrateIndex } from '../../../../functions/mac-index/index-migration.js';
import { macChangeOf, segmentOf } from '../../../../functions/mac-index/route-changes.js';
import type { Item } from '../../../../functions/shared/store/table-store.js';
import { Encapsulation, RouteEvent } from '../../../../schemas/events.js';
import { keys, segmentKey } from '../../../../schemas/tables/index.js';
import { startTestStore } from '../../../support/dynalite.js';
import { macRoute, mskBatch } from '../../../support/route-events.js';
import { ADAPTERS, type OpenedStore, openStore } from '../../../support/store-adapters.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const event = (h: Parameters<typeof macRoute>[0]) => RouteEvent.fromObject(macRoute(h));

describe('segmentOf (how a route event maps to the index key)', () => {
  it.each([
    ['a VXLAN route, by its VNI', { vni: 10100, evi: '' }, { vni: 10100 }, 'VNI#10100'],
    ['a VXLAN route that also names an EVI, still by its VNI', { vni: 10100, evi: '65000:10100' }, { vni: 10100 }, 'VNI#10100'],
    ['an MPLS or SRv6 route, by its EVI route target', { vni: 0, evi: '65000:100' }, { vni: 0, evi: '65000:100' }, 'EVI#65000:100'],
    ['an EVI named by an IPv4-administered route target', { vni: 0, evi: '10.0.0.1:7' }, { vni: 0, evi: '10.0.0.1:7' }, 'EVI#10.0.0.1:7'],
  ])('keys %s', (_what, ev, segment, key) => {
    expect(segmentOf(ev)).toEqual(segment);
    expect(segmentKey(segmentOf(ev)!)).toBe(key);
  });

  it('places nothing that has neither a VNI nor an EVI', () => {
    expect(segmentOf({ vni: 0, evi: '' })).toBeUndefined();
    expect(macChangeOf(event({ mac: '02:00:00:00:00:01', vtep: '10.0.0.1', fabric: 'dc1', vni: 0 }), T0)).toBeUndefined();
  });

  it('keeps VNI keys as earlier versions wrote them, so their items read unchanged', () => {
    expect(keys.mac('02:00:00:00:00:01', { vni: 10100 })).toEqual({ pk: 'MAC#02:00:00:00:00:01', sk: 'VNI#10100' });
    expect(keys.segmentGsi({ vni: 10100 }, '02:00:00:00:00:01').gsi1pk).toMatch(/^VNI#10100#\d\d$/);
    expect(keys.ip('10.0.0.1', '02:00:00:00:00:01', { vni: 10100 }).sk).toBe('MAC#02:00:00:00:00:01#VNI#10100');
    expect(keys.history('02:00:00:00:00:01', '2026-11-24T10:00:00.000Z', { vni: 10100 }).sk).toBe('2026-11-24T10:00:00.000Z#10100');
    expect(keys.fabricCount('dc1', { vni: 10100 }, 3).sk).toBe('COUNT#10100#03');
    expect(keys.fabricCount('dc1', { vni: 0, evi: '65000:100' }, 3).sk).toBe('COUNTEVI#65000:100#03');
  });
});

describe('MAC index: hosts learnt from routes without a VNI', () => {
  let store: Awaited<ReturnType<typeof startTestStore>>;
  beforeAll(async () => {
    store = await startTestStore();
  });
  afterAll(async () => store?.stop());

  const api = () => createApiHandler({ ddb: store.doc, tableName: store.indexTable });
  const get = async (path: string) => {
    const url = new URL(path, 'http://api');
    const res = await api()({
      rawPath: url.pathname,
      queryStringParameters: Object.fromEntries(url.searchParams),
      requestContext: { http: { method: 'GET' } },
    } as unknown as APIGatewayProxyEventV2);
    return JSON.parse((res as { body: string }).body);
  };

  it('indexes an MPLS MAC by its EVI (route target, not the per-PE RD), shows it, and never counts it as a VNI', async () => {
    const h = createMacIndexHandler({ ddb: store.doc, tableName: store.indexTable });
    const mpls = (vtep: string, rd: string, withdraw = false) =>
      macRoute({ mac: '02:00:00:00:e1:01', vni: 0, evi: '65000:100', vtep, rd, fabric: 'mpls1', ip: '192.0.2.10', withdraw });
    const mplsEvent = { ...mpls('10.9.0.1', '10.9.0.1:100'), encapsulation: Encapsulation.ENCAPSULATION_MPLS, mplsLabels: [24002] };
    await h(
      mskBatch([
        { ev: mplsEvent, atMs: T0 },
        // The same EVI on another PE: another RD, the same route target, so the same index item (a move).
        { ev: { ...mpls('10.9.0.2', '10.9.0.2:100'), macMobilitySeq: 1, hasMacMobility: true }, atMs: T0 + 1000 },
        { ev: macRoute({ mac: '02:00:00:00:e1:02', vni: 20100, vtep: '10.9.0.3', fabric: 'mpls1' }), atMs: T0 },
      ]),
    );
    const item = await h.store.getMacItem('02:00:00:00:e1:01', { vni: 0, evi: '65000:100' });
    expect(item).toMatchObject({ sk: 'EVI#65000:100', vni: 0, evi: '65000:100', location: { vtep: '10.9.0.2' } });
    expect(await h.store.getMacItem('02:00:00:00:e1:01', { vni: 0 })).toBeUndefined();

    const host = await get('/v1/hosts/02:00:00:00:e1:01');
    expect(host.locations).toEqual([expect.objectContaining({ fabric: 'mpls1', vni: 0, evi: '65000:100', vtep: '10.9.0.2' })]);
    expect(host.history).toEqual([expect.objectContaining({ kind: 'move', evi: '65000:100' })]);
    const byIp = await get('/v1/hosts?ip=192.0.2.10');
    expect(byIp.hosts).toEqual([{ mac: '02:00:00:00:e1:01', locations: [expect.objectContaining({ evi: '65000:100' })] }]);

    const fabric = (await get('/v1/fabrics')).fabrics.find((f: { name: string }) => f.name === 'mpls1');
    expect(fabric).toMatchObject({ macs: 2, vnis: 1, macsPerVni: { 20100: 1 }, macsPerEvi: { '65000:100': 1 } });

    // Its withdrawal (the collector names the EVI on withdrawals too) removes it.
    await h(
      mskBatch([
        { ev: mpls('10.9.0.1', '10.9.0.1:100', true), atMs: T0 + 2000 },
        { ev: mpls('10.9.0.2', '10.9.0.2:100', true), atMs: T0 + 2000 },
      ]),
    );
    expect((await h.store.getMacItem('02:00:00:00:e1:01', { vni: 0, evi: '65000:100' }))?.location).toBeUndefined();
    expect((await get('/v1/fabrics')).fabrics.find((f: { name: string }) => f.name === 'mpls1')).toMatchObject({ macs: 1, macsPerEvi: {} });
  });
});

describe.each(ADAPTERS)('opening an index written by an earlier version (%s)', (adapter) => {
  let store: OpenedStore;
  beforeAll(async () => {
    store = await openStore(adapter);
  });
  afterAll(async () => store?.stop());

  it('drops what route events built under the old meaning, keeps history, segments and alerts, and runs once', async () => {
    const put = (item: Record<string, unknown>) => store.index.put(item as Item);
    // Version 1 items: an MPLS MAC stored under its label as a "VNI", its IP binding, counters and registry.
    await put({ ...keys.mac('02:00:00:00:f1:01', { vni: 384032 }), mac: '02:00:00:00:f1:01', vni: 384032, paths: {} });
    await put({ ...keys.ip('10.0.0.1', '02:00:00:00:f1:01', { vni: 384032 }), ip: '10.0.0.1' });
    await put({ ...keys.fabricCount('dc1', { vni: 384032 }, 1), macs: 1 });
    await put({ ...keys.fabricVni('dc1', 384032) });
    await put({ ...keys.fabricVtep('dc1', '10.9.0.1') });
    await put({ ...keys.dupWatch('02:00:00:00:f1:01', 384032), sinceMs: 0 });
    const kept = [
      keys.history('02:00:00:00:f1:01', '2026-11-24T10:00:00.000Z', { vni: 384032 }),
      keys.esMember('01:00:00:00:00:00:00:00:00:01', '10.9.0.1'),
      keys.fabricMoves('dc1', '2026-11-24T10:00'),
      keys.fabricList('dc1'),
    ];
    for (const k of kept) await put({ ...k });
    const open = keys.alert('2026-11-24T10:00:00.000Z', 'mac-flap', keys.macSubject('02:00:00:00:f1:01', 384032));
    await put({ ...open, mac: '02:00:00:00:f1:01', type: 'mac-flap' });

    const first = await migrateIndex(store.index, undefined, '2026-11-25T00:00:00.000Z');
    expect(first).toEqual({ from: 1, to: INDEX_SCHEMA_VERSION, deleted: 6, alertsCleared: 1 });
    const left = (await store.index.scan()).items as { pk: string; sk: string; clearedAt?: string }[];
    expect(left.map((i) => `${i.pk} ${i.sk}`).sort()).toEqual([...kept, open, keys.indexVersion].map((k) => `${k.pk} ${k.sk}`).sort());
    expect(left.find((i) => i.pk === open.pk)?.clearedAt).toBe('2026-11-25T00:00:00.000Z');

    // Written by this version: nothing to do (one read of the marker).
    await put({ ...keys.mac('02:00:00:00:f1:02', { vni: 10100 }), mac: '02:00:00:00:f1:02', vni: 10100, paths: {} });
    expect(await migrateIndex(store.index)).toEqual({ from: 2, to: 2, deleted: 0, alertsCleared: 0 });
    expect(await store.index.get(keys.mac('02:00:00:00:f1:02', { vni: 10100 }))).toBeDefined();
  });
});
