import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../../functions/notify/dead-letter.js';
import type { LocalStack } from '../../../infra/local/stack.js';
import { Alert } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { HttpReceiver } from '../../support/http-receiver.js';
import { macRoute } from '../../support/route-events.js';
import { kafkaClient, uniqueName, waitFor } from '../support/env.js';
import { publishRoutes, startTestStack } from '../support/stack.js';

/** Accepted webhook documents (2xx) at `path`, parsed. */
const accepted = (rx: HttpReceiver, path = '/hook'): { dedupKey: string; event: string; alert: Record<string, any>; at: number }[] =>
  rx.requests.filter((r) => r.status < 300 && r.path === path).map((r) => ({ ...JSON.parse(r.body), at: r.at }));

// Webhook, Slack and a refusing and a dead sink side by side on one local stack: the signature is verified by the
// receivers, a receiver answering 500 for a while gets every alert once it recovers, the others are unaffected, a 4xx
// is dropped and counted, and what a dead sink never took ends on the dead-letter topic. No secret reaches the logs
// or /metrics.
describe('notifier → webhooks', () => {
  const SECRET = `whsec-${uniqueName('s')}-0123456789`;
  const AM_TOKEN = `amtok-${uniqueName('t')}-0123456789`;
  const API_TOKEN = `apitok-${uniqueName('a')}-0123456789`;
  const SLACK_PATH = `/services/T0/B0/${uniqueName('slack')}`;
  const QUIET_S = 3;
  const FLAKY_OUTAGE_MS = 3_000;
  let stack: LocalStack;
  const logs: string[] = [];
  let badSignatures = 0;
  let flakyRecoveredAt = Number.POSITIVE_INFINITY;

  const verify = (body: string, h: IncomingHttpHeaders): boolean => {
    const ts = String(h['x-evpn-lens-timestamp'] ?? '');
    const sig = Buffer.from(String(h['x-evpn-lens-signature'] ?? ''));
    const want = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`);
    const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
    const ok = fresh && sig.length === want.length && timingSafeEqual(sig, want);
    if (!ok) badSignatures++;
    return ok;
  };
  const good = new HttpReceiver(({ body, headers }) => (verify(body, headers) ? { status: 200 } : { status: 401 }), '127.0.8.2');
  let flakyFirst: number | undefined;
  const flaky = new HttpReceiver(({ body, headers }) => {
    if (!verify(body, headers)) return { status: 401 };
    flakyFirst ??= Date.now();
    if (Date.now() - flakyFirst < FLAKY_OUTAGE_MS) return { status: 500 };
    flakyRecoveredAt = Math.min(flakyRecoveredAt, Date.now());
    return { status: 200 };
  }, '127.0.8.3');
  // Refuses everything and echoes the request headers back (the bearer token included): the log must not repeat it.
  const refusing = new HttpReceiver(({ headers }) => ({ status: 400, body: JSON.stringify(headers) }), '127.0.8.4');
  const dead = new HttpReceiver(() => ({ status: 503 }), '127.0.8.5');
  const slack = new HttpReceiver(() => ({ status: 200, body: 'ok' }), '127.0.8.6');

  const MACS = ['02:15:b0:00:00:01', '02:15:b0:00:00:02', '02:15:b0:00:00:03'];
  const MAC_TYPES = ['mac-flap', 'sticky-move'];
  /** MACS[0] and MACS[1] flap between dc1 and dc2 (critical), MACS[2] between two VTEPs of dc1 (warning). */
  const at = (mac: string, seq: number) =>
    seq % 2 === 0 ? { vtep: '10.15.1.2', fabric: 'dc1' } : mac === MACS[2] ? { vtep: '10.15.1.4', fabric: 'dc1' } : { vtep: '10.15.2.2', fabric: 'dc2' };
  const STICKY = '02:15:b0:00:00:04';

  beforeAll(async () => {
    await Promise.all([good, flaky, refusing, dead, slack].map((r) => r.start()));
    process.env.NOTIFY_TEST_WEBHOOK_SECRET = SECRET;
    process.env.NOTIFY_TEST_AM_TOKEN = AM_TOKEN;
    process.env.NOTIFY_TEST_API_TOKEN = API_TOKEN;
    process.env.NOTIFY_TEST_SLACK_URL = `${slack.url}${SLACK_PATH}`;
    stack = await startTestStack(
      {
        api: { listen: '127.0.0.1:0', auth: { tokenEnv: 'NOTIFY_TEST_API_TOKEN' } },
        alerts: {
          sinks: [
            // MAC alerts only: the fabric-status alerts the health function raises for these flaps are left out.
            { name: 'good', type: 'webhook', url: `${good.url}/hook`, secretEnv: 'NOTIFY_TEST_WEBHOOK_SECRET', types: MAC_TYPES },
            {
              name: 'critical',
              type: 'webhook',
              url: `${good.url}/critical`,
              secretEnv: 'NOTIFY_TEST_WEBHOOK_SECRET',
              types: MAC_TYPES,
              minSeverity: 'critical',
            },
            { name: 'flaky', type: 'webhook', url: `${flaky.url}/hook`, secretEnv: 'NOTIFY_TEST_WEBHOOK_SECRET', types: MAC_TYPES },
            { name: 'refusing', type: 'alertmanager', url: refusing.url, secretEnv: 'NOTIFY_TEST_AM_TOKEN', types: MAC_TYPES },
            { name: 'dead', type: 'webhook', url: `${dead.url}/hook`, types: ['sticky-move'] },
            { name: 'chat', type: 'slack', urlEnv: 'NOTIFY_TEST_SLACK_URL', types: MAC_TYPES },
          ],
          delivery: { initialBackoffMs: 100, maxBackoffMs: 400, invocationRetrySeconds: 1, deadLetterAfterSeconds: 10, resendSeconds: 60 },
        },
        macIndex: { flap: { moves: 3, windowSeconds: 60, quietSeconds: QUIET_S } },
      },
      { logger: pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) }) },
    );
    // Three flapping MACs (three moves each) and a sticky MAC also advertised elsewhere.
    for (let seq = 0; seq < 4; seq++) {
      await publishRoutes(MACS.map((mac) => macRoute({ mac, vni: 10151, ...at(mac, seq), seq })));
      await new Promise((r) => setTimeout(r, 30));
    }
    await publishRoutes([macRoute({ mac: STICKY, vni: 10151, vtep: '10.15.1.3', fabric: 'dc1', sticky: true })]);
    await new Promise((r) => setTimeout(r, 30));
    await publishRoutes([macRoute({ mac: STICKY, vni: 10151, vtep: '10.15.2.3', fabric: 'dc2', seq: 1 })]);
    // Quiet, then one more event per MAC clears its alert.
    await waitFor(() => (accepted(good).length >= 4 ? true : undefined), 'four raises at the good receiver');
    await new Promise((r) => setTimeout(r, QUIET_S * 1000 + 200));
    await publishRoutes([
      ...MACS.map((mac) => macRoute({ mac, vni: 10151, ...at(mac, 3), seq: 3 })),
      macRoute({ mac: STICKY, vni: 10151, vtep: '10.15.1.3', fabric: 'dc1', sticky: true }),
    ]);
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([good, flaky, refusing, dead, slack].map((r) => r.stop()));
  });

  const events = (list: { dedupKey: string; event: string }[]) => new Set(list.map((d) => `${d.dedupKey}/${d.event}`));

  it('delivers every raise and clear, signed, to a healthy receiver while another one is failing', async () => {
    await waitFor(() => (events(accepted(good)).size >= 8 ? true : undefined), 'raise and clear of four alerts at the good receiver');
    const docs = accepted(good);
    expect(badSignatures).toBe(0);
    expect(events(docs).size).toBe(8);
    expect(new Set(docs.map((d) => d.alert.mac))).toEqual(new Set([...MACS, STICKY]));
    const flap = docs.find((d) => d.alert.mac === MACS[0] && d.event === 'raised')!;
    expect(flap).toMatchObject({
      version: 1,
      alert: { kind: 'mac-flap', severity: 'critical', vni: 10151, fabric: 'dc2', fabrics: ['dc1', 'dc2'], crossFabric: true },
    });
    expect(docs.find((d) => d.alert.mac === MACS[2] && d.event === 'raised')!.alert).toMatchObject({ severity: 'warning', fabric: 'dc1', crossFabric: false });
    expect(flap.alert.dashboardUrl).toBe(`${stack.apiUrl}/#/host/${encodeURIComponent(MACS[0]!)}`);
    expect(docs.find((d) => d.alert.mac === STICKY)!.alert).toMatchObject({ kind: 'sticky-move', severity: 'critical' });
    // The raises reached the good receiver while the flaky one was still answering 500.
    const raises = docs.filter((d) => d.event === 'raised');
    expect(Math.max(...raises.map((d) => d.at))).toBeLessThan(flakyRecoveredAt);
    expect(flaky.requests.some((r) => r.status === 500)).toBe(true);
  });

  it('gives a receiver that answered 500 for a while every alert once it recovers', async () => {
    await waitFor(() => (events(accepted(flaky)).size >= 8 ? true : undefined), 'every event at the recovered receiver', 30_000);
    expect(events(accepted(flaky))).toEqual(events(accepted(good)));
    expect(flaky.requests.filter((r) => r.status === 500).length).toBeGreaterThan(1);
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).text();
    expect(metrics).toMatch(/evpnlens_notify_deliveries_total\{sink="flaky",outcome="retry_later"\} [1-9]/);
  });

  it('sends only what a sink asks for: types and minimum severity', async () => {
    await waitFor(() => (accepted(good, '/critical').length >= 6 ? true : undefined), 'the critical sink');
    await new Promise((r) => setTimeout(r, 500));
    const got = accepted(good, '/critical').map((d) => `${d.alert.kind} ${d.alert.mac} ${d.event}`);
    expect(got.sort()).toEqual(
      [MACS[0], MACS[1]]
        .flatMap((m) => [`mac-flap ${m} cleared`, `mac-flap ${m} raised`])
        .concat([`sticky-move ${STICKY} cleared`, `sticky-move ${STICKY} raised`]),
    );
  });

  it('posts Slack-compatible text', async () => {
    await waitFor(() => (slack.requests.length >= 8 ? true : undefined), 'eight Slack messages');
    expect(slack.requests.every((r) => r.path === SLACK_PATH)).toBe(true);
    const texts = slack.requests.map((r) => JSON.parse(r.body).text as string);
    expect(texts).toContainEqual(expect.stringMatching(new RegExp(`^:rotating_light: \\*WARNING\\* mac-flap: MAC \`${MACS[2]}\` VNI 10151 in dc1\\n`)));
    expect(texts).toContainEqual(
      expect.stringMatching(new RegExp(`^:rotating_light: \\*CRITICAL\\* mac-flap: MAC \`${MACS[1]}\` VNI 10151 in dc2\\nacross fabrics dc1, dc2\\n`)),
    );
    expect(texts).toContainEqual(expect.stringMatching(/^:white_check_mark: \*RESOLVED\* sticky-move/));
    expect(texts.every((t) => t.includes(`<${stack.apiUrl}/#/host/`))).toBe(true);
  });

  it('drops what a sink refuses (4xx), once per alert, and counts it', async () => {
    await waitFor(() => (refusing.requests.length >= 8 ? true : undefined), 'eight refused alerts');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(refusing.requests).toHaveLength(8); // never retried
    expect(refusing.requests.every((r) => r.headers.authorization === `Bearer ${AM_TOKEN}`)).toBe(true);
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).text();
    expect(metrics).toMatch(/evpnlens_notify_deliveries_total\{sink="refusing",outcome="rejected"\} 8\b/);
  });

  it('writes what a dead sink never took to the dead-letter topic, naming the sink', async () => {
    const consumer = kafkaClient('notify-dlq-test').consumer({ groupId: uniqueName('dlq-reader') });
    const got: { id: string; state: number; headers: Record<string, string> }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.alertsDeadLetter, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        const a = Alert.decode(message.value!);
        if (headers[DEAD_LETTER_HEADERS.sink] === 'dead' && a.mac === STICKY) got.push({ id: a.id, state: a.state, headers });
      },
    });
    try {
      await waitFor(() => (got.length >= 2 ? true : undefined), 'raise and clear of the sticky alert dead-lettered', 40_000);
    } finally {
      await consumer.disconnect();
    }
    expect(got.map((g) => g.state).sort()).toEqual([1, 2]);
    expect(got[0]!.headers).toMatchObject({ [DEAD_LETTER_HEADERS.sink]: 'dead', [DEAD_LETTER_HEADERS.reason]: 'HTTP 503' });
    const published = Date.parse(got[0]!.headers[DEAD_LETTER_HEADERS.publishedAt]!);
    expect(Date.parse(got[0]!.headers[DEAD_LETTER_HEADERS.deadLetteredAt]!) - published).toBeGreaterThanOrEqual(10_000);
    expect(dead.requests.length).toBeGreaterThan(2);
  });

  it('keeps every secret out of the logs and /metrics', async () => {
    // A wrong token and no token: refused, and not logged either.
    expect((await fetch(`${stack.apiUrl}/v1/alerts`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`${stack.apiUrl}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).text();
    const text = logs.join('');
    expect(text).toContain('the sink refused the alert'); // the refusals (with the echoed headers) were logged…
    expect(text).toContain('[redacted]'); // …with the token taken out
    for (const secret of [SECRET, AM_TOKEN, API_TOKEN, SLACK_PATH]) {
      expect(text).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
  });
});
