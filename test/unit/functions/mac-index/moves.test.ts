import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMacIndexHandler, type MacIndexHandler } from '../../../../functions/mac-index/handler.js';
import { Alert, AlertSeverity } from '../../../../schemas/events.js';
import { type AlertItem, type HistoryItem, keys } from '../../../../schemas/tables/index.js';
import { startTestStore } from '../../../support/dynalite.js';
import { type HostRoute, macRoute, mskBatch } from '../../../support/route-events.js';

// Moves across data centers (issue 16): withdraw-first and advertise-first, in one batch or several, measured on the
// routers' timestamps; the options are the defaults (gap 5 s, skew allowance 1 s, flap 5 moves in 180 s).
const T0 = Date.parse('2026-11-25T10:00:00Z');
const at = (s: number) => T0 + s * 1000;
let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

function newHandler(published: Uint8Array[] = []): MacIndexHandler {
  return createMacIndexHandler({
    ddb: store.doc,
    tableName: store.indexTable,
    alertPublisher: { publish: async (a) => void published.push(...a.map((x) => x.value)) },
  });
}
const query = async <T>(pk: string) =>
  ((await store.doc.send(new QueryCommand({ TableName: store.indexTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': pk } })))
    .Items ?? []) as T[];
const historyOf = async (mac: string) => query<HistoryItem>(keys.historyPk(mac));
const alertsFor = async (mac: string) => (await query<AlertItem>(keys.alertMonthPk('2026-11'))).filter((a) => a.mac === mac);
const dc1 = (mac: string, o: Partial<HostRoute> = {}): HostRoute => ({ mac, vtep: '10.1.0.1', fabric: 'dc1', ...o });
const dc2 = (mac: string, o: Partial<HostRoute> = {}): HostRoute => ({ mac, vtep: '10.2.0.1', fabric: 'dc2', ...o });
const withdraw = (h: HostRoute): HostRoute => ({ ...h, withdraw: true });

describe('mac-index moves across data centers', () => {
  it('records a withdraw-first move between fabrics as one move, in one batch', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:01:01';
    await h(mskBatch([{ ev: macRoute(dc1(mac, { ip: '10.0.0.1' })), atMs: at(0) }]));
    await h(
      mskBatch([
        { ev: macRoute(withdraw(dc1(mac, { ip: '10.0.0.1' }))), atMs: at(10) },
        { ev: macRoute(dc2(mac, { ip: '10.0.0.1' })), atMs: at(10.01) },
      ]),
    );
    const item = (await h.store.getMacItem(mac, 10100))!;
    expect(item.location).toMatchObject({ fabric: 'dc2', vtep: '10.2.0.1' });
    expect(item.moveCount).toBe(1);
    const hist = await historyOf(mac);
    expect(hist).toEqual([
      expect.objectContaining({ kind: 'move', from: expect.objectContaining({ fabric: 'dc1' }), to: expect.objectContaining({ fabric: 'dc2' }) }),
    ]);
    expect(await query(keys.ipPk('10.0.0.1'))).toEqual([expect.objectContaining({ mac })]);
  });

  it('turns the disappearance written by an earlier batch into the move when the advertisement comes in the next', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:01:02';
    await h(mskBatch([{ ev: macRoute(dc1(mac, { ip: '10.0.0.2' })), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute(withdraw(dc1(mac, { ip: '10.0.0.2' }))), atMs: at(10) }]));
    expect((await historyOf(mac)).map((x) => x.kind)).toEqual(['disappear']); // what is known so far
    await h(mskBatch([{ ev: macRoute(dc2(mac, { ip: '10.0.0.2' })), atMs: at(12) }]));
    const hist = await historyOf(mac);
    expect(hist).toEqual([
      expect.objectContaining({
        kind: 'move',
        at: new Date(at(10)).toISOString(),
        from: expect.objectContaining({ vtep: '10.1.0.1' }),
        to: expect.objectContaining({ vtep: '10.2.0.1' }),
      }),
    ]);
    expect((await h.store.getMacItem(mac, 10100))?.moveCount).toBe(1);
    expect(await query(keys.ipPk('10.0.0.2'))).toEqual([expect.objectContaining({ mac, fabric: 'dc2' })]);
  });

  it('leaves a MAC that does not come back within the gap disappeared, and its return later an appearance', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:01:03';
    await h(mskBatch([{ ev: macRoute(dc1(mac)), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute(withdraw(dc1(mac))), atMs: at(10) }]));
    await h(mskBatch([{ ev: macRoute(dc2(mac)), atMs: at(10 + 6.5) }])); // gap 5 s + skew 1 s passed
    expect((await historyOf(mac)).map((x) => x.kind)).toEqual(['disappear', 'appear']);
    expect((await h.store.getMacItem(mac, 10100))?.moveCount).toBe(0);
  });

  it('sees no move when a MAC is withdrawn and re-advertised at the same VTEP within the gap, in one batch or two', async () => {
    const h = newHandler();
    const [a, b] = ['02:16:00:00:01:04', '02:16:00:00:01:05'];
    await h(
      mskBatch([
        { ev: macRoute(dc1(a)), atMs: at(0) },
        { ev: macRoute(dc1(b)), atMs: at(0) },
      ]),
    );
    await h(
      mskBatch([
        { ev: macRoute(withdraw(dc1(a))), atMs: at(10) },
        { ev: macRoute(dc1(a)), atMs: at(10.01) },
      ]),
    );
    await h(mskBatch([{ ev: macRoute(withdraw(dc1(b))), atMs: at(10) }]));
    await h(mskBatch([{ ev: macRoute(dc1(b)), atMs: at(11) }]));
    for (const mac of [a, b]) {
      expect(await historyOf(mac)).toEqual([]);
      const item = (await h.store.getMacItem(mac, 10100))!;
      expect(item.location).toMatchObject({ vtep: '10.1.0.1', since: new Date(at(0)).toISOString() });
      expect(item.moveCount).toBe(0);
    }
  });

  it('measures the gap on router timestamps: late delivery is still a move, a late router event is not', async () => {
    const h = newHandler();
    const [late, apart] = ['02:16:00:00:01:06', '02:16:00:00:01:07'];
    // Delivered 30 s apart (a lagging collector) but 1 s apart at the routers: a move.
    await h(mskBatch([{ ev: macRoute(dc1(late, { routerMs: at(0) })), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute(withdraw(dc1(late, { routerMs: at(10) }))), atMs: at(10) }]));
    await h(mskBatch([{ ev: macRoute(dc2(late, { routerMs: at(11) })), atMs: at(40) }]));
    expect((await historyOf(late)).map((x) => x.kind)).toEqual(['move']);
    // Delivered together but 20 s apart at the routers: a disappearance, then an appearance.
    await h(mskBatch([{ ev: macRoute(dc1(apart, { routerMs: at(0) })), atMs: at(0) }]));
    await h(
      mskBatch([
        { ev: macRoute(withdraw(dc1(apart, { routerMs: at(10) }))), atMs: at(30) },
        { ev: macRoute(dc2(apart, { routerMs: at(30) })), atMs: at(30.01) },
      ]),
    );
    expect((await historyOf(apart)).map((x) => x.kind)).toEqual(['disappear', 'appear']);
  });

  it('takes the record time for a withdrawal stamped with the age of the route it withdraws (as GoBGP stamps it)', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:01:08';
    await h(mskBatch([{ ev: macRoute(dc1(mac, { routerMs: at(0) })), atMs: at(0) }]));
    // The withdrawal at 60 s carries the advertisement's timestamp (0 s); the new route is stamped 60 s.
    await h(
      mskBatch([
        { ev: macRoute(withdraw(dc1(mac, { routerMs: at(0) }))), atMs: at(60) },
        { ev: macRoute(dc2(mac, { routerMs: at(60) })), atMs: at(60.02) },
      ]),
    );
    expect((await historyOf(mac)).map((x) => x.kind)).toEqual(['move']);
    // Also when the route was re-sent unchanged in between (stamped 30 s), so the withdrawal carries that age.
    const resent = '02:16:00:00:01:09';
    await h(mskBatch([{ ev: macRoute(dc1(resent, { routerMs: at(0) })), atMs: at(0) }]));
    await h(mskBatch([{ ev: macRoute(dc1(resent, { routerMs: at(30) })), atMs: at(30) }]));
    await h(
      mskBatch([
        { ev: macRoute(withdraw(dc1(resent, { routerMs: at(30) }))), atMs: at(60) },
        { ev: macRoute(dc2(resent, { routerMs: at(60) })), atMs: at(60.02) },
      ]),
    );
    expect((await historyOf(resent)).map((x) => x.kind)).toEqual(['move']);
  });

  for (const order of ['withdraw-first', 'advertise-first'] as const) {
    it(`raises one cross-fabric mac-flap alert naming both locations for 6 bounces between fabrics, ${order}`, async () => {
      const published: Uint8Array[] = [];
      const h = newHandler(published);
      const mac = order === 'withdraw-first' ? '02:16:00:00:02:01' : '02:16:00:00:02:02';
      await h(mskBatch([{ ev: macRoute(dc1(mac)), atMs: at(0) }]));
      for (let i = 1; i <= 6; i++) {
        const [from, to] = i % 2 ? [dc1(mac), dc2(mac)] : [dc2(mac), dc1(mac)];
        const pair = [macRoute(withdraw(from)), macRoute(to)];
        if (order === 'advertise-first') pair.reverse();
        // Every other move has its two events in separate batches.
        if (i % 2) await h(mskBatch(pair.map((ev, j) => ({ ev, atMs: at(i * 4 + j * 0.01) }))));
        else for (const [j, ev] of pair.entries()) await h(mskBatch([{ ev, atMs: at(i * 4 + j * 0.01) }]));
      }
      const hist = await historyOf(mac);
      expect(hist.map((x) => x.kind)).toEqual(Array(6).fill('move'));
      expect(hist.map((x) => `${x.from?.fabric}>${x.to?.fabric}`)).toEqual(['dc1>dc2', 'dc2>dc1', 'dc1>dc2', 'dc2>dc1', 'dc1>dc2', 'dc2>dc1']);
      const alerts = await alertsFor(mac);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        type: 'mac-flap',
        crossFabric: true,
        fabrics: ['dc1', 'dc2'],
        severity: 'critical',
        moveCount: 5,
        locations: [
          expect.objectContaining({ fabric: 'dc1', vtep: '10.1.0.1', vni: 10100 }),
          expect.objectContaining({ fabric: 'dc2', vtep: '10.2.0.1', vni: 10100 }),
        ],
      });
      const raised = published.map((b) => Alert.decode(b));
      expect(raised).toHaveLength(1);
      expect(raised[0]).toMatchObject({ crossFabric: true, fabrics: ['dc1', 'dc2'], severity: AlertSeverity.ALERT_SEVERITY_CRITICAL });
      expect(raised[0]!.locations.map((l) => `${l.fabric}/${l.vtep}`)).toEqual(['dc1/10.1.0.1', 'dc2/10.2.0.1']);
      // A brief overlap of equal sequence numbers during advertise-first moves is no duplicate.
      expect(await h.sweep(at(60))).toEqual({ raised: 0, cleared: 0 });
      expect((await h.store.getMacItem(mac, 10100))?.dupSinceMs).toBeUndefined();
    });
  }

  it('raises a flap inside one fabric without crossFabric, with warning severity', async () => {
    const h = newHandler();
    const mac = '02:16:00:00:02:03';
    for (let i = 0; i <= 5; i++) await h(mskBatch([{ ev: macRoute({ mac, vtep: i % 2 ? '10.1.0.2' : '10.1.0.1', fabric: 'dc1', seq: i }), atMs: at(i * 3) }]));
    expect(await alertsFor(mac)).toEqual([expect.objectContaining({ type: 'mac-flap', crossFabric: false, fabrics: ['dc1'], severity: 'warning' })]);
  });
});
