import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../infra/local/stack.js';
import { RouteEventBatch } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { counterSample, encodeSamples, encodeSession, imetRoute, peerDown, peerUp } from '../../support/health-events.js';
import { macRoute } from '../../support/route-events.js';
import { cleanEnv, cli } from '../support/cli-stack.js';
import { kafkaClient, waitFor } from '../support/env.js';
import { startTestStack } from '../support/stack.js';

const shots = resolve(import.meta.dirname, '../../../test-results/screenshots');

// The fabric page in Debian's chromium against the real local stack: events go through Kafka, the event-source runner
// and the health function into dynalite; the page reads the API.
describe('dashboard fabric page', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const FABRIC = 'web1';
  const router = { fabric: FABRIC, bgpId: '10.66.0.1' };

  async function produce(topic: string, values: { key: string; value: Uint8Array }[]) {
    const producer = kafkaClient('test-health').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: values.map((v) => ({ key: v.key, value: Buffer.from(v.value) })) });
    await producer.disconnect();
  }

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startTestStack({
      fabrics: [{ name: FABRIC, match: { routerIds: ['10.66.0.1'] }, expectedVteps: ['10.66.1.1', '10.66.1.2'] }],
      health: { tickSeconds: 0.5 },
    });
    const now = Date.now();
    await produce(TOPICS.sessions, [
      { key: 'r', value: encodeSession(peerUp(router, '10.66.0.2', now - 2000)) },
      { key: 'r', value: encodeSession(peerUp(router, '10.66.0.3', now - 2000)) },
      { key: 'r', value: encodeSession(peerUp(router, '10.66.0.4', now - 2000)) },
      { key: 'r', value: encodeSession(peerDown(router, '10.66.0.4', now - 1000)) },
    ]);
    // VTEP 10.66.1.1 announces VNI 10100; 10.66.1.2 (expected) never does. Forty hosts make route churn.
    const routes = [imetRoute({ fabric: FABRIC, vtep: '10.66.1.1', vni: 10100, router: '10.66.0.1' })];
    for (let i = 0; i < 40; i++)
      routes.push(macRoute({ mac: `02:66:00:00:00:${i.toString(16).padStart(2, '0')}`, vtep: '10.66.1.1', fabric: FABRIC, router: '10.66.0.1' }));
    await produce(
      TOPICS.routes,
      routes.map((e) => ({ key: e.mac || e.routeKey!, value: RouteEventBatch.encode({ events: [e] }).finish() })),
    );
    // A gNMI device on 10.66.1.1 sending and dropping packets, one sample a minute for the last ten minutes.
    const base = (Math.floor(now / 60_000) - 10) * 60_000;
    const samples = Array.from({ length: 10 }, (_, i) => [
      counterSample({
        fabric: FABRIC,
        device: 'leaf-web1',
        vtep: '10.66.1.1',
        name: 'drop-decap-pkts',
        value: BigInt(i * i * 600),
        tsMs: base + i * 60_000,
        rxMs: now,
      }),
      counterSample({
        fabric: FABRIC,
        device: 'leaf-web1',
        vtep: '10.66.1.1',
        name: 'total-encap-pkts',
        value: BigInt(i * 60_000),
        tsMs: base + i * 60_000,
        rxMs: now,
      }),
    ]).flat();
    await produce(TOPICS.vtepTelemetry, [{ key: 'leaf-web1', value: encodeSamples(samples) }]);
    await waitFor(async () => {
      const h = (await (await fetch(`${stack.apiUrl}/v1/fabrics/${FABRIC}/health`)).json()) as any;
      return h.status === 'critical' && h.sessions.total === 3 && h.vteps.find((v: any) => v.vtep === '10.66.1.1')?.rates ? true : undefined;
    }, 'fabric evaluated');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('colours the fabric card on the front page by status', async () => {
    await page.goto(`${stack.apiUrl}/`);
    const card = await page.waitForSelector(`.card.fabric[data-fabric="${FABRIC}"]`);
    expect(await card.getAttribute('class')).toContain('status-critical');
    expect(await card.evaluate((el) => getComputedStyle(el).borderLeftColor)).toBe('rgb(255, 92, 92)');
    expect(await card.textContent()).toContain('critical');
  });

  it('shows the status, its reasons, the sessions, the VTEPs and charts drawn with data', async () => {
    await page.goto(`${stack.apiUrl}/#/fabric/${FABRIC}`);
    await page.waitForSelector('h1 .status');
    expect(await page.textContent('h1 .status')).toBe('critical');
    const reasons = await page.$$eval('.reasons li', (lis) => lis.map((l) => l.textContent ?? ''));
    expect(reasons).toEqual(
      expect.arrayContaining([
        'expected VTEP 10.66.1.2 missing: no route names it and no gNMI sample reports it',
        expect.stringMatching(/^EVPN session 127\.0\.0\.1\/10\.66\.0\.1 → 10\.66\.0\.4 \(AS 65000\) down since .*Cease \/ Administrative Shutdown$/),
      ]),
    );
    expect(await page.textContent('table.sessions tbody')).toContain('10.66.0.4');
    const rows = await page.$$eval('table.vteps tbody tr', (trs) => trs.map((t) => [t.getAttribute('data-vtep'), t.children[1]?.textContent]));
    expect(rows).toEqual([
      ['10.66.1.1', 'up'],
      ['10.66.1.2', 'missing'],
    ]);

    // The charts: uPlot instances with data, and pixels drawn on their canvases.
    await page.waitForFunction(() => (window as any).evpnLensCharts?.drops && (window as any).evpnLensCharts?.churn);
    const drawn = await page.evaluate(() => {
      const charts = (window as any).evpnLensCharts as Record<string, { data: (number | null)[][]; root: HTMLElement }>;
      const inked = (c: { root: HTMLElement }) => {
        const canvas = c.root.querySelector('canvas')!;
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
        return n;
      };
      return Object.fromEntries(
        Object.entries(charts).map(([k, c]) => [k, { max: Math.max(...c.data[1]!.map((v) => v ?? 0)), points: c.data[0]!.length, inked: inked(c) }]),
      );
    });
    expect(drawn.churn!.max).toBeGreaterThanOrEqual(41); // the type-3 route and forty type-2 routes appeared
    expect(drawn.drops!.max).toBeGreaterThan(0);
    expect(drawn.drops!.points).toBeGreaterThan(50);
    expect(drawn.drops!.inked).toBeGreaterThan(500);
    expect(await page.$('table.vteps tr[data-vtep="10.66.1.1"] svg.sparkline')).not.toBeNull();
    await page.screenshot({ path: join(shots, 'fabric.png'), fullPage: true });

    await page.click('.range button[data-range="24h"]');
    await page.waitForFunction(() => (window as any).evpnLensCharts.drops.data[0].length > 1000);
  });

  it('lists the fabric-status alert in the alert feed with a link to the fabric', async () => {
    const li = await page.waitForSelector(`#alerts li.fabric-status[data-fabric="${FABRIC}"]`, { timeout: 30_000 });
    expect(await li.textContent()).toContain('critical');
    expect(await li.$eval('a', (a) => a.getAttribute('href'))).toBe(`#/fabric/${FABRIC}`);
  });

  it('prints the status table and the fabric view on the command line', async () => {
    // Asynchronously: the API runs in this process.
    const run = (args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((res) =>
        execFile(process.execPath, [cli, ...args, '--api', stack.apiUrl], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
          res({ status: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const list = await run(['fabrics']);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${FABRIC}\\s+critical\\s+40\\s`, 'm'));
    const one = await run(['fabric', FABRIC]);
    expect(one.status).toBe(0);
    expect(one.stdout).toMatch(/^fabric web1: CRITICAL/);
    expect(one.stdout).toContain('  - expected VTEP 10.66.1.2 missing');
    expect(one.stdout).toMatch(/^10\.66\.1\.2\*\s+missing/m);
    expect(JSON.parse((await run(['fabric', FABRIC, '--json'])).stdout)).toMatchObject({ fabric: FABRIC, status: 'critical' });
    expect((await run(['fabric', 'nope'])).stderr).toContain('fabric nope is neither configured nor seen');
  });
});
