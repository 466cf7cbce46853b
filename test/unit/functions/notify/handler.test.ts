import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { indexAlertStore } from '../../../../functions/notify/alert-store.js';
import { DEAD_LETTER_HEADERS, type DeadLetter } from '../../../../functions/notify/dead-letter.js';
import { createNotifyHandler } from '../../../../functions/notify/handler.js';
import type { NotifyTiming, Sink } from '../../../../functions/notify/sink-config.js';
import { Alert } from '../../../../schemas/events.js';
import { ALERT_KINDS, type AlertItem, keys } from '../../../../schemas/tables/index.js';
import { alertBatch, flapAlert } from '../../../support/alert-records.js';
import { startTestStore } from '../../../support/dynalite.js';
import { HttpReceiver } from '../../../support/http-receiver.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const logger = pino({ level: 'silent' });
const FAST: Partial<NotifyTiming> = { initialBackoffMs: 10, maxBackoffMs: 20, invocationRetrySeconds: 0.3, deadLetterAfterSeconds: 60, resendSeconds: 30 };
let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

describe('notify handler', () => {
  let rx: HttpReceiver;
  afterEach(async () => rx?.stop());
  const sink = (over: Partial<Sink> = {}): Sink => ({
    name: 'test',
    type: 'webhook',
    url: `${rx.url}/hook`,
    types: [...ALERT_KINDS],
    minSeverity: 'info',
    timeoutMs: 500,
    ...over,
  });
  const macsOf = () => rx.requests.filter((r) => r.status < 300).map((r) => JSON.parse(r.body).alert.mac as string);

  it('works through each partition in order and hands back only the partition whose sink call failed', async () => {
    rx = await new HttpReceiver(({ body }) => ({ status: JSON.parse(body).alert.mac === 'bad' ? 503 : 200 })).start();
    const h = createNotifyHandler({ sink: sink(), dashboardUrl: 'http://d/', timing: FAST, logger });
    const res = await h(
      alertBatch([
        { partition: 0, offset: 10, alert: flapAlert({ mac: 'p0-a', raisedAtMs: T0 }) },
        { partition: 0, offset: 11, alert: flapAlert({ mac: 'bad', raisedAtMs: T0 }) },
        { partition: 0, offset: 12, alert: flapAlert({ mac: 'p0-c', raisedAtMs: T0 }) },
        { partition: 1, offset: 5, alert: flapAlert({ mac: 'p1-a', raisedAtMs: T0 }) },
        { partition: 1, offset: 6, alert: flapAlert({ mac: 'p1-b', raisedAtMs: T0 }) },
      ]),
    );
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'evpn.alerts.v1-0', offset: 11 } }] });
    expect(macsOf().sort()).toEqual(['p0-a', 'p1-a', 'p1-b']); // p0-c waits behind the failed record
    expect(rx.requests.filter((r) => r.status === 503).length).toBeGreaterThan(1); // retried within the invocation
  });

  it('drops a refused (4xx) alert and goes on', async () => {
    rx = await new HttpReceiver(({ body }) => ({ status: JSON.parse(body).alert.mac === 'no' ? 400 : 200 })).start();
    const counted: string[] = [];
    const h = createNotifyHandler({
      sink: sink(),
      dashboardUrl: 'http://d/',
      timing: FAST,
      logger,
      metrics: { delivery: (_s, o) => void counted.push(o), attempt: () => undefined },
    });
    const res = await h(alertBatch([{ alert: flapAlert({ mac: 'no', raisedAtMs: T0 }) }, { alert: flapAlert({ mac: 'yes', raisedAtMs: T0 }) }]));
    expect(res).toBeUndefined();
    expect(counted).toEqual(['rejected', 'delivered']);
    expect(rx.requests).toHaveLength(2);
  });

  it('dead-letters a record undeliverable past its retry time, and one that does not decode', async () => {
    rx = await new HttpReceiver(() => ({ status: 502 })).start();
    const letters: DeadLetter[] = [];
    const h = createNotifyHandler({
      sink: sink(),
      dashboardUrl: 'http://d/',
      timing: FAST,
      logger,
      deadLetter: { publish: async (l) => void letters.push(...l) },
    });
    const old = flapAlert({ mac: 'old', raisedAtMs: T0 });
    const res = await h(
      alertBatch([
        { offset: 3, alert: old, timestamp: Date.now() - 61_000 },
        { offset: 4, alert: new Uint8Array([0xff, 0xff, 0xff]) },
        { offset: 5, alert: flapAlert({ mac: 'fresh', raisedAtMs: T0 }) },
      ]),
    );
    expect(res).toEqual({ batchItemFailures: [{ itemIdentifier: { partition: 'evpn.alerts.v1-0', offset: 5 } }] }); // fresh: retried later, not dead-lettered
    expect(letters.map((l) => l.headers[DEAD_LETTER_HEADERS.reason])).toEqual(['HTTP 502', 'undecodable']);
    expect(letters[0]).toMatchObject({ key: old.id, headers: { [DEAD_LETTER_HEADERS.sink]: 'test', [DEAD_LETTER_HEADERS.source]: 'evpn.alerts.v1-0@3' } });
    expect(Alert.decode(letters[0]!.value).mac).toBe('old');
  });

  it('filters by alert type and minimum severity', async () => {
    rx = await new HttpReceiver().start();
    const h = createNotifyHandler({ sink: sink({ types: ['sticky-move'], minSeverity: 'critical' }), dashboardUrl: 'http://d/', timing: FAST, logger });
    await h(alertBatch([{ alert: flapAlert({ mac: 'flap', raisedAtMs: T0 }) }, { alert: flapAlert({ mac: 'sticky', raisedAtMs: T0, type: 3 }) }]));
    expect(macsOf()).toEqual(['sticky']);
  });

  it("clears with the raise's fabric and severity (read from the index), and re-sends active alerts to Alertmanager", async () => {
    rx = await new HttpReceiver().start();
    const raisedAt = new Date(T0).toISOString();
    const item = (mac: string, over: Partial<AlertItem> = {}): AlertItem => ({
      ...keys.alert(raisedAt, 'mac-flap', keys.macSubject(mac, 10100)),
      id: `mac-flap/${mac}/10100/${T0}`,
      type: 'mac-flap',
      mac,
      vni: 10100,
      fabric: 'dc1',
      fabrics: ['dc1', 'dc2'],
      raisedAt,
      moveCount: 5,
      windowSeconds: 180,
      detail: 'flapping',
      severity: 'critical',
      ...over,
    });
    for (const it of [item('02:00:00:00:00:0a'), item('02:00:00:00:00:0b', { clearedAt: raisedAt }), item('02:00:00:00:00:0c')])
      await store.doc.send(new PutCommand({ TableName: store.indexTable, Item: it }));
    const h = createNotifyHandler({
      sink: sink({ type: 'alertmanager', url: rx.url }),
      store: indexAlertStore(store.index),
      dashboardUrl: 'http://d/',
      timing: FAST,
      logger,
    });

    // The clear names dc2 (where the MAC is now); Alertmanager must see the raise's labels.
    await h(alertBatch([{ alert: flapAlert({ mac: '02:00:00:00:00:0a', fabric: 'dc2', raisedAtMs: T0, clearedAtMs: T0 + 600_000 }) }]));
    const [cleared] = JSON.parse(rx.requests[0]!.body);
    expect(cleared.labels).toEqual({ alertname: 'EvpnLensMacFlap', fabric: 'dc1', vni: '10100', mac: '02:00:00:00:00:0a', severity: 'critical' });
    expect(cleared.endsAt).toBe(new Date(T0 + 600_000).toISOString());

    const now = Date.parse('2026-11-24T12:00:00Z');
    const r = await h.resendActive(now);
    expect(r).toEqual({ sent: 2, failed: 0 });
    const resent = JSON.parse(rx.requests[1]!.body) as { labels: { mac: string }; endsAt: string }[];
    expect(resent.map((a) => a.labels.mac).sort()).toEqual(['02:00:00:00:00:0a', '02:00:00:00:00:0c']); // still active in this table
    expect(Date.parse(resent[0]!.endsAt)).toBeGreaterThan(Date.now() + 100_000);
  });
});
