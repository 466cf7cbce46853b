import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/handler.js';
import { toApiGatewayEvent } from '../../../../infra/local/http-server.js';
import type { AlertItem } from '../../../../schemas/tables/index.js';
import { keys } from '../../../../schemas/tables/index-table.js';
import { startTestStore } from '../../../support/dynalite.js';

let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

async function putFlap(mac: string, raisedAt: string, clearedAt?: string): Promise<void> {
  const k = keys.alert(raisedAt, 'mac-flap', `${mac}#vni#10100`);
  const item: AlertItem = {
    ...k,
    id: `${k.pk}|${k.sk}`,
    type: 'mac-flap',
    mac,
    vni: 10100,
    fabric: 'dc1',
    fabrics: ['dc1'],
    raisedAt,
    ...(clearedAt ? { clearedAt } : {}),
    moveCount: 5,
    windowSeconds: 180,
    detail: '5 moves within 180 s',
  };
  await store.doc.send(new PutCommand({ TableName: store.indexTable, Item: item }));
}

async function alerts(startedAt?: Date): Promise<{ mac: string; clearedAt: string | null; raisedBeforeRestart: boolean }[]> {
  const api = createApiHandler({ ddb: store.doc, tableName: store.indexTable, startedAt });
  const res = (await api(toApiGatewayEvent({ method: 'GET', url: '/v1/alerts', headers: {}, sourceIp: '127.0.0.1' }))) as { body: string };
  return (JSON.parse(res.body) as { alerts: { mac: string; clearedAt: string | null; raisedBeforeRestart: boolean }[] }).alerts;
}

// The rule for alerts across a restart of the local stack: kept as they are (history, and cleared by the same rules,
// re-evaluated at start), and an active one raised before the start is marked as carried over.
describe('GET /v1/alerts across a restart', () => {
  beforeAll(async () => {
    await putFlap('02:00:00:00:00:01', iso(120_000)); // raised by the last run, still active
    await putFlap('02:00:00:00:00:02', iso(110_000), iso(100_000)); // raised and cleared by the last run
    await putFlap('02:00:00:00:00:03', iso(5_000)); // raised by this run
  });

  it('marks only the active alerts raised before the stack started as raisedBeforeRestart', async () => {
    const startedAt = new Date(now - 60_000);

    const list = await alerts(startedAt);

    expect(list.map((a) => [a.mac, a.clearedAt !== null, a.raisedBeforeRestart])).toEqual([
      ['02:00:00:00:00:03', false, false],
      ['02:00:00:00:00:02', true, false],
      ['02:00:00:00:00:01', false, true],
    ]);
  });

  it('marks none without a start time (on AWS nothing restarts as a whole)', async () => {
    const list = await alerts();

    expect(list.every((a) => a.raisedBeforeRestart === false)).toBe(true);
    expect(list).toHaveLength(3);
  });
});
