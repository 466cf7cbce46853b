import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../infra/local/stack.js';
import { macRoute } from '../../support/route-events.js';
import { Alertmanager, type AmAlert } from '../support/alertmanager.js';
import { waitFor } from '../support/env.js';
import { publishRoutes, startTestStack } from '../support/stack.js';

// Debian's prometheus-alertmanager as the real peer: a MAC flap in the local stack becomes an active alert in
// Alertmanager's own API with the episode's labels, stays active across Alertmanager's endsAt thanks to the re-send,
// and the clear resolves it.
describe('notifier → Alertmanager', () => {
  const am = new Alertmanager('127.0.8.1');
  let stack: LocalStack;
  const MAC = '02:15:a1:00:00:01';
  const QUIET_S = 12;
  const RESEND_S = 2;
  let watch: NodeJS.Timeout | undefined;
  const ours = (alerts: AmAlert[]) => alerts.filter((a) => a.labels.mac === MAC);

  beforeAll(async () => {
    await am.start();
    stack = await startTestStack({
      alerts: {
        sinks: [{ name: 'am', type: 'alertmanager', url: am.url }],
        delivery: { resendSeconds: RESEND_S, initialBackoffMs: 50, maxBackoffMs: 500, invocationRetrySeconds: 2 },
      },
      macIndex: { flap: { moves: 3, windowSeconds: 60, quietSeconds: QUIET_S } },
    });
  });
  afterAll(async () => {
    clearInterval(watch);
    await stack?.stop();
    await am.stop();
  });

  it('raises a flap as an Alertmanager alert with fixed labels, keeps it firing, and resolves it on the clear', async () => {
    // Meanwhile the health function marks the fabric degraded for the flapping MAC (on its tick): watched throughout.
    const fabricAlerts = new Map<string, AmAlert>();
    watch = setInterval(() => {
      void am
        .alerts()
        .then((list) => {
          for (const a of list) if (a.labels.alertname === 'EvpnLensFabricStatus') fabricAlerts.set(JSON.stringify(a.labels), a);
        })
        .catch(() => undefined);
    }, 300);
    // dc1 → dc2 → dc1 → dc2 (the third move raises the flap, in dc2) → dc1 (a fourth move: the MAC ends in dc1, so the
    // clear names dc1 and must be matched to the raise's labels, not its own). Each move has a higher mobility sequence.
    const at = [
      { vtep: '10.15.1.1', fabric: 'dc1' },
      { vtep: '10.15.2.1', fabric: 'dc2' },
      { vtep: '10.15.1.1', fabric: 'dc1' },
      { vtep: '10.15.2.1', fabric: 'dc2' },
      { vtep: '10.15.1.1', fabric: 'dc1' },
    ];
    for (const [seq, l] of at.entries()) {
      await publishRoutes([macRoute({ mac: MAC, vni: 10150, vtep: l.vtep, fabric: l.fabric, router: l.vtep, seq })]);
      await new Promise((r) => setTimeout(r, 30));
    }
    const lastMoveAt = Date.now();
    const [raised] = await waitFor(async () => {
      const a = ours(await am.alerts());
      return a.length ? a : undefined;
    }, 'the flap alert in Alertmanager');
    // A flap across fabrics is critical (the MAC index's severity).
    expect(raised!.labels).toEqual({ alertname: 'EvpnLensMacFlap', fabric: 'dc2', vni: '10150', mac: MAC, severity: 'critical' });
    expect(raised!.status.state).toBe('active');
    expect(raised!.annotations).toMatchObject({ fabrics: 'dc1,dc2', cross_fabric: 'true', moves: expect.stringMatching(/^3 moves within 60 s$/) });
    expect(raised!.annotations.dashboard).toBe(`${stack.apiUrl}/#/host/${encodeURIComponent(MAC)}`);
    const api = (await (await fetch(`${stack.apiUrl}/v1/alerts?type=mac-flap&active=true`)).json()) as { alerts: { mac: string; raisedAt: string }[] };
    expect(new Date(raised!.startsAt).getTime()).toBe(new Date(api.alerts.find((a) => a.mac === MAC)!.raisedAt).getTime());

    // endsAt is 4 re-send periods ahead: still active well past the first endsAt means the re-send works.
    const firstEndsAt = new Date(raised!.endsAt).getTime();
    await new Promise((r) => setTimeout(r, Math.max(0, firstEndsAt - Date.now()) + 1_000));
    const still = ours(await am.alerts());
    expect(still).toHaveLength(1);
    expect(new Date(still[0]!.endsAt).getTime()).toBeGreaterThan(firstEndsAt);

    // Quiet long enough, then any event of the MAC clears the flap (so would the index's periodic sweep): resolved.
    // The re-sent raise would stay until its endsAt: resolving well before that proves the clear matched its labels.
    await new Promise((r) => setTimeout(r, lastMoveAt + (QUIET_S - 1) * 1000 - Date.now()));
    const lastEndsAt = new Date(ours(await am.alerts())[0]!.endsAt).getTime();
    await new Promise((r) => setTimeout(r, 1_100));
    await publishRoutes([macRoute({ mac: MAC, vni: 10150, vtep: '10.15.1.1', fabric: 'dc1', router: '10.15.1.1', seq: 4 })]);
    await waitFor(async () => (ours(await am.alerts()).length === 0 ? true : undefined), 'the alert resolved in Alertmanager', 60_000);
    expect(Date.now()).toBeLessThan(lastEndsAt - 1_000);
    // The fabric-status alert of the health function reached Alertmanager too, labelled by fabric and severity only,
    // and resolves once the fabric is ok again.
    await waitFor(() => (fabricAlerts.size > 0 ? true : undefined), 'a fabric-status alert in Alertmanager', 90_000);
    clearInterval(watch);
    const [fabricAlert] = fabricAlerts.values();
    expect(fabricAlert!.labels).toEqual({ alertname: 'EvpnLensFabricStatus', fabric: expect.stringMatching(/^dc[12]$/), severity: 'warning' });
    expect(fabricAlert!.annotations.summary).toBe(`Fabric ${fabricAlert!.labels.fabric} is degraded`);
    await waitFor(
      async () => ((await am.alerts()).some((a) => a.labels.alertname === 'EvpnLensFabricStatus') ? undefined : true),
      'the fabric-status alert resolved',
      40_000,
    );
    const metrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    // The raise and the clear (and the fabric-status alerts the health function raises for the flap).
    expect(Number(/evpnlens_notify_deliveries_total\{sink="am",outcome="delivered"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/evpnlens_notify_deliveries_total\{sink="am",outcome="resent"\} [1-9]/);
  });
});
