import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../infra/local/stack.js';
import { macRoute } from '../../support/route-events.js';
import { adRoute, esRoute, prefixRoute } from '../../support/route-index-events.js';
import { waitFor } from '../support/env.js';
import { publishRoutes, startTestStack } from '../support/stack.js';

const shots = resolve(import.meta.dirname, '../../../test-results/screenshots');

// The NOC dashboard in Debian's chromium, driven by playwright-core, against the real local stack.
describe('dashboard', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const ESI = '00:26:00:00:00:00:00:00:00:01';
  const SEG_MEMBERS = ['10.26.0.10', '10.26.0.2'];
  const MAC = (i: number) => `02:77:aa:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    stack = await startTestStack();
    const hosts = [];
    for (let i = 0; i < 130; i++)
      hosts.push(macRoute({ mac: MAC(i), vni: 40400, vtep: `10.77.0.${1 + (i % 4)}`, fabric: 'dc1', ip: `10.77.${i >> 8}.${i & 0xff}` }));
    // The route index's pages: a single-active segment of two members with two EVIs, and one IP-VRF in two fabrics.
    hosts.push(
      ...SEG_MEMBERS.flatMap((m) => [esRoute(ESI, m), adRoute(ESI, m, 'per-es', { singleActive: true }), adRoute(ESI, m, 10100), adRoute(ESI, m, 10101)]),
      prefixRoute('10.26.0.0/16', 50026, '10.26.0.2', { gw: '10.26.255.254' }),
      prefixRoute('10.26.5.0/24', 50026, '10.26.9.1', { fabric: 'dc2' }),
    );
    await publishRoutes(hosts);
    await waitFor(async () => ((await fetch(`${stack.apiUrl}/v1/hosts/${MAC(129)}`)).status === 200 ? true : undefined), 'hosts indexed');
    await new Promise((r) => setTimeout(r, 30));
    await publishRoutes([macRoute({ mac: MAC(5), vni: 40400, vtep: '10.78.0.1', fabric: 'dc2', seq: 1, ip: '10.77.0.5' })]);
    await waitFor(async () => {
      const r = await fetch(`${stack.apiUrl}/v1/hosts/${MAC(5)}`);
      return ((await r.json()) as any).locations?.[0]?.fabric === 'dc2' ? true : undefined;
    }, 'move indexed');
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
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('searches a MAC and shows its location and move history', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.fill('#q', MAC(5).toUpperCase().replace(/:/g, '-'));
    await page.click('button[type=submit]');
    await page.waitForSelector('table.locations tbody tr');
    const row = await page.textContent('table.locations tbody tr');
    expect(row).toContain('dc2');
    expect(row).toContain('10.78.0.1');
    expect(row).toContain('10.77.0.5');
    const timeline = await page.textContent('.timeline');
    expect(timeline).toMatch(/move: dc1 \/ 10\.77\.0\.2 → dc2 \/ 10\.78\.0\.1/);
    await page.screenshot({ path: join(shots, 'host.png'), fullPage: true });
  });

  it('opens a VNI and pages through its hosts', async () => {
    await page.goto(`${stack.apiUrl}/#/vni/40400`);
    await page.waitForSelector('table.locations tbody tr');
    const first = await page.$$eval('table.locations tbody tr', (rows) => rows.map((r) => r.querySelector('td')?.textContent ?? ''));
    expect(first).toHaveLength(50);
    await page.click('#next');
    await page.waitForFunction(() => document.querySelector('.pager .muted')?.textContent === 'page 2');
    const second = await page.$$eval('table.locations tbody tr', (rows) => rows.map((r) => r.querySelector('td')?.textContent ?? ''));
    expect(second.length).toBeGreaterThan(0);
    expect(second.filter((m) => first.includes(m))).toEqual([]);
    await page.screenshot({ path: join(shots, 'vni.png'), fullPage: true });
    let all = [...first, ...second];
    while (await page.isEnabled('#next')) {
      await page.click('#next');
      await page.waitForFunction((n) => document.querySelector('.pager .muted')?.textContent === `page ${n}`, all.length / 50 + 1);
      all = [...all, ...(await page.$$eval('table.locations tbody tr', (rows) => rows.map((r) => r.querySelector('td')?.textContent ?? '')))];
    }
    expect(new Set(all).size).toBe(130); // every host of the VNI once (the one that moved to dc2 is still in it)
  });

  it('shows a flap alert appear live, highlighted', async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.waitForSelector('#alerts li');
    expect(await page.$$('#alerts li.mac-flap')).toHaveLength(0);
    const m = MAC(77);
    for (let i = 1; i <= 6; i++) {
      await publishRoutes([macRoute({ mac: m, vni: 40400, vtep: i % 2 ? '10.78.0.1' : '10.77.0.2', fabric: i % 2 ? 'dc2' : 'dc1', seq: i })]);
      await new Promise((r) => setTimeout(r, 50));
    }
    const li = await page.waitForSelector(`#alerts li.mac-flap[data-mac="${m}"]`, { timeout: 30_000 });
    expect(await li.textContent()).toContain('ACTIVE');
    expect(await li.evaluate((el) => getComputedStyle(el).borderColor)).toBe('rgb(255, 92, 92)');
    // It bounced between data centers: said so, with both locations.
    expect(await li.getAttribute('class')).toContain('cross-fabric');
    expect(await li.textContent()).toContain('across dc1 + dc2');
    expect(await li.$$eval('.where', (els) => els.map((e) => e.textContent))).toEqual(['dc1 / 10.77.0.2', 'dc2 / 10.78.0.1']);
    await page.screenshot({ path: join(shots, 'alerts.png'), fullPage: true });
  });

  it('shows a competing advertisement with an equal sequence beside the chosen location, marked conflicting', async () => {
    const m = MAC(200);
    await publishRoutes([
      macRoute({ mac: m, vni: 40400, vtep: '10.77.0.9', fabric: 'dc1' }),
      macRoute({ mac: m, vni: 40400, vtep: '10.78.0.9', fabric: 'dc2' }),
    ]);
    await waitFor(async () => {
      const r = await fetch(`${stack.apiUrl}/v1/hosts/${m}`);
      return ((await r.json()) as any).locations?.[0]?.competing?.length ? true : undefined;
    }, 'both advertisements indexed');
    await page.goto(`${stack.apiUrl}/#/host/${m}`);
    await page.waitForSelector('table.locations tr.competing');
    const rows = await page.$$eval('table.locations tbody tr', (trs) => trs.map((tr) => [tr.className, tr.textContent ?? '']));
    expect(rows).toHaveLength(2);
    expect(rows[0]![0]).toBe('chosen');
    expect(rows[0]![1]).toContain('10.77.0.9');
    expect(rows[1]![0]).toBe('competing conflicting');
    expect(rows[1]![1]).toMatch(/dc2.*10\.78\.0\.9.*conflicting/s);
    await page.screenshot({ path: join(shots, 'host-conflicting.png'), fullPage: true });
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
