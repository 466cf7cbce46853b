import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AlertView, viewOfAlert } from '../../../../functions/notify/alert-view.js';
import { alertmanagerLabels, alertmanagerRequest, toPostableAlert } from '../../../../functions/notify/formats/alertmanager.js';
import { slackText } from '../../../../functions/notify/formats/slack.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookRequest } from '../../../../functions/notify/formats/webhook.js';
import { Alert, AlertSeverity, AlertType } from '../../../../schemas/events.js';
import { flapAlert } from '../../../support/alert-records.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const ctx = { dashboardUrl: 'http://noc.example/evpn/', nowMs: T0 + 60_000 };
const view = (a: Parameters<typeof flapAlert>[0]): AlertView => viewOfAlert(Alert.decode(Alert.encode(flapAlert(a)).finish()));

describe('alert formats', () => {
  it('gives Alertmanager the same labels for the raise and the clear of an episode, the rest in annotations', () => {
    const raised = view({
      mac: '02:00:00:00:00:01',
      fabric: 'dc2',
      fabrics: ['dc1', 'dc2'],
      raisedAtMs: T0,
      locations: [
        { fabric: 'dc1', vtep: '10.0.0.1', esi: '', sequence: 4 },
        { fabric: 'dc2', vtep: '10.9.0.1', vteps: ['10.9.0.1', '10.9.0.2'], esi: '00:11', sequence: 5 },
      ],
    });
    const cleared = view({ mac: '02:00:00:00:00:01', fabric: 'dc2', raisedAtMs: T0, clearedAtMs: T0 + 300_000, moveCount: 9 });

    const a = toPostableAlert(raised, ctx, 60);
    const b = toPostableAlert(cleared, ctx, 60);

    expect(a.labels).toEqual({ alertname: 'EvpnLensMacFlap', fabric: 'dc2', vni: '10100', mac: '02:00:00:00:00:01', severity: 'warning' });
    expect(b.labels).toEqual(a.labels);
    expect(a.startsAt).toBe('2026-11-24T10:00:00.000Z');
    expect(a.endsAt).toBe(new Date(ctx.nowMs + 4 * 60_000).toISOString()); // 4 re-send periods ahead
    expect(b.endsAt).toBe('2026-11-24T10:05:00.000Z');
    expect(a.annotations).toMatchObject({
      fabrics: 'dc1,dc2',
      cross_fabric: 'true',
      moves: '5 moves within 180 s',
      vteps: 'dc1 10.0.0.1 (seq 4), dc2 10.9.0.1+10.9.0.2 (seq 5)',
      dashboard: 'http://noc.example/evpn/#/host/02%3A00%3A00%3A00%3A00%3A01',
      alert_id: `mac-flap/02:00:00:00:00:01/10100/${T0}`,
    });
    expect(a.generatorURL).toBe(a.annotations.dashboard);
    const req = alertmanagerRequest('http://am.example:9093/', [a], 'tok');
    expect(req.url).toBe('http://am.example:9093/api/v2/alerts');
    expect(req.headers.authorization).toBe('Bearer tok');
    expect(JSON.parse(req.body)).toEqual([a]);
  });

  it('labels a fabric-status alert by fabric and severity only', () => {
    const v = viewOfAlert(
      Alert.decode(
        Alert.encode(
          flapAlert({
            mac: '',
            vni: 0,
            fabric: 'dc3',
            raisedAtMs: T0,
            type: AlertType.ALERT_TYPE_FABRIC_STATUS,
            status: 'critical',
            reasons: ['2 of 4 VTEPs down'],
          }),
        ).finish(),
      ),
    );
    expect(alertmanagerLabels(v)).toEqual({ alertname: 'EvpnLensFabricStatus', fabric: 'dc3', severity: 'critical' });
    expect(toPostableAlert(v, ctx, 60).annotations).toMatchObject({
      summary: 'Fabric dc3 is critical',
      reasons: '2 of 4 VTEPs down',
      dashboard: 'http://noc.example/evpn/',
    });
  });

  it('takes the severity an alert carries, else one by type', () => {
    expect(view({ mac: 'a', raisedAtMs: T0 }).severity).toBe('warning');
    expect(view({ mac: 'a', raisedAtMs: T0, severity: AlertSeverity.ALERT_SEVERITY_CRITICAL }).severity).toBe('critical');
    expect(view({ mac: 'a', raisedAtMs: T0, type: AlertType.ALERT_TYPE_STICKY_MOVE }).severity).toBe('critical');
    expect(() => view({ mac: 'a', raisedAtMs: T0, type: 99 as AlertType })).toThrow(/unknown type 99/);
  });

  it('signs a webhook body with HMAC-SHA256 over the timestamp and the body', () => {
    const v = view({ mac: '02:00:00:00:00:02', raisedAtMs: T0 });
    const req = webhookRequest('http://hook.example/x', v, ctx, 's3cret');
    const ts = req.headers[TIMESTAMP_HEADER]!;
    expect(ts).toBe(String(Math.floor(ctx.nowMs / 1000)));
    expect(req.headers[SIGNATURE_HEADER]).toBe(`sha256=${createHmac('sha256', 's3cret').update(`${ts}.${req.body}`).digest('hex')}`);
    expect(req.headers['idempotency-key']).toBe(`${v.id}/raised`);
    expect(JSON.parse(req.body)).toMatchObject({
      version: 1,
      dedupKey: v.id,
      event: 'raised',
      sentAt: new Date(ctx.nowMs).toISOString(),
      alert: { kind: 'mac-flap' },
    });
    expect(webhookRequest('http://hook.example/x', v, ctx).headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it('writes Slack text with its control characters escaped', () => {
    const v = view({ mac: '02:00:00:00:00:03', raisedAtMs: T0, detail: 'moved <here> & there' });
    const text = slackText(v, ctx);
    expect(text.split('\n')[0]).toBe(':rotating_light: *WARNING* mac-flap: MAC `02:00:00:00:00:03` VNI 10100 in dc1');
    expect(text).toContain('moved &lt;here&gt; &amp; there');
    expect(text).toContain('<http://noc.example/evpn/#/host/02%3A00%3A00%3A00%3A00%3A03|dashboard>');
  });
});
