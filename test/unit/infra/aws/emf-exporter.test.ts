import { createServer } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startEmfExporter, toEmfDocuments } from '../../../../infra/aws/emf-exporter.js';

function registry() {
  const r = new Registry();
  const routes = new Counter({ name: 'evpnlens_evpn_routes_total', help: 'h', labelNames: ['route_type'], registers: [r] });
  const sessions = new Gauge({ name: 'evpnlens_bmp_sessions', help: 'h', registers: [r] });
  return { r, routes, sessions };
}

describe('EMF exporter', () => {
  it('turns counters into their increase and gauges into their value, labels as dimensions', async () => {
    const { r, routes, sessions } = registry();
    const previous = new Map<string, number>();
    routes.inc({ route_type: '2' }, 10);
    sessions.set(3);
    const first = toEmfDocuments(await r.getMetricsAsJSON(), { namespace: 'EvpnLens', fixed: { service: 'collector' }, previous, now: 1 });
    routes.inc({ route_type: '2' }, 5);

    const second = toEmfDocuments(await r.getMetricsAsJSON(), { namespace: 'EvpnLens', fixed: { service: 'collector' }, previous, now: 2 });

    const routeDoc = second.find((d) => 'evpnlens_evpn_routes_total' in d)!;
    expect(routeDoc).toMatchObject({ service: 'collector', route_type: '2', evpnlens_evpn_routes_total: 5 });
    expect(routeDoc._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'EvpnLens',
      Dimensions: [['service', 'route_type']],
      Metrics: [{ Name: 'evpnlens_evpn_routes_total', Unit: 'Count' }],
    });
    expect(first.find((d) => 'evpnlens_evpn_routes_total' in d)?.evpnlens_evpn_routes_total).toBe(10);
    expect(second.find((d) => 'evpnlens_bmp_sessions' in d)?.evpnlens_bmp_sessions).toBe(3);
  });

  it('sends one JSON line per document to the agent over TCP', async () => {
    const { r, sessions } = registry();
    sessions.set(2);
    let received = '';
    // The agent's side of the connection ends once the exporter has closed it: everything sent has arrived by then.
    let ended: () => void = () => undefined;
    const allReceived = new Promise<void>((res) => (ended = res));
    const server = createServer((s) => s.on('data', (b) => (received += b.toString())).on('end', () => ended()));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    const exporter = startEmfExporter({ registry: r, endpoint: `tcp://127.0.0.1:${port}`, namespace: 'N', fixed: {}, intervalMs: 60_000 });

    const sent = await exporter.exportNow();
    await exporter.stop();
    await allReceived;
    server.close();

    const lines = received
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(sent).toBe(1); // the labelled counter has no series yet
    expect(lines.some((l) => l.evpnlens_bmp_sessions === 2 && l._aws.CloudWatchMetrics[0].Namespace === 'N')).toBe(true);
  });
});
