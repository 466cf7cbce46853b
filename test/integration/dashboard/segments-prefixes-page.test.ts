import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../infra/local/stack.js';
import { adRoute, esRoute, prefixRoute } from '../../support/route-index-events.js';
import { waitFor } from '../support/env.js';
import { publishRoutes, startTestStack } from '../support/stack.js';

const shots = resolve(import.meta.dirname, '../../../test-results/screenshots');

// The dashboard's route-index pages (segments, VRFs and prefixes, an IP's prefix fallback) in Debian's chromium.
describe('dashboard: segments and prefixes', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const ESI = '00:26:00:00:00:00:00:00:00:01';
  const members = ['10.26.0.10', '10.26.0.2'];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startTestStack();
    await publishRoutes([
      ...members.flatMap((m) => [esRoute(ESI, m), adRoute(ESI, m, 'per-es', { singleActive: true }), adRoute(ESI, m, 10100), adRoute(ESI, m, 10101)]),
      prefixRoute('10.26.0.0/16', 50026, '10.26.0.2', { gw: '10.26.255.254' }),
      prefixRoute('10.26.5.0/24', 50026, '10.26.9.1', { fabric: 'dc2' }),
    ]);
    await waitFor(async () => {
      const r = await fetch(`${stack.apiUrl}/v1/segments/${ESI}`);
      return r.status === 200 && ((await r.json()) as any).evis.length === 2 ? true : undefined;
    }, 'segment indexed');
    await waitFor(async () => ((await fetch(`${stack.apiUrl}/v1/prefixes?ip=10.26.5.1`)).status === 200 ? true : undefined), 'prefixes indexed');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists segments and opens one: mode, members and the DF of each EVI (V mod N over 10.26.0.2, 10.26.0.10)', async () => {
    await page.goto(`${stack.apiUrl}/#/segments`);
    await page.waitForSelector(`tr.segment[data-esi="${ESI}"]`);
    expect(await page.textContent(`tr.segment[data-esi="${ESI}"]`)).toContain('single-active');
    await page.click(`tr.segment[data-esi="${ESI}"] a`);
    await page.waitForSelector('tr.evi');
    const dfs = await page.$$eval('tr.evi', (rows) => rows.map((r) => [r.querySelector('td')?.textContent, r.querySelector('td.df')?.textContent]));
    expect(dfs).toEqual([
      ['vni:10100', '10.26.0.2'], // 10100 mod 2 = 0
      ['vni:10101', '10.26.0.10'],
    ]);
    await page.screenshot({ path: join(shots, 'segment.png'), fullPage: true });
  });

  it('lists VRFs, their prefixes with next hops, and an IP covered only by prefixes', async () => {
    await page.goto(`${stack.apiUrl}/#/vrfs`);
    await page.waitForSelector('tr.vrf');
    await page.click('tr.vrf a');
    await page.waitForSelector('tr.prefix');
    const rows = await page.$$eval('tr.prefix', (r) => r.map((x) => x.textContent ?? ''));
    expect(rows[0]).toMatch(/10\.26\.0\.0\/16\s*dc1\s*10\.26\.0\.2\s*10\.26\.255\.254/);
    expect(rows[1]).toMatch(/10\.26\.5\.0\/24\s*dc2\s*10\.26\.9\.1/);
    await page.screenshot({ path: join(shots, 'vrf.png'), fullPage: true });
    await page.goto(`${stack.apiUrl}/#/ip/10.26.5.7`);
    await page.waitForSelector('tr.prefix-match');
    const matches = await page.$$eval('tr.prefix-match', (r) => r.map((x) => x.textContent ?? ''));
    expect(matches).toEqual([expect.stringMatching(/50026\s*dc1\s*10\.26\.0\.0\/16/), expect.stringMatching(/50026\s*dc2\s*10\.26\.5\.0\/24/)]);
    await page.screenshot({ path: join(shots, 'ip-prefix-fallback.png'), fullPage: true });
  });
});
