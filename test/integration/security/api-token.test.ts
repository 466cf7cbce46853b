import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../../infra/local/http-server.js';
import { API_SERVER_MACS, startApiServer } from '../support/api-server.js';

const TOKEN = 'token-for-the-test-0123456789';
const cli = join(resolve(import.meta.dirname, '../../..'), 'bin/evpn-lens.mjs');
/** The CLI as a child process (asynchronously: the API server it talks to runs in this process). */
const runCli = (args: string[], env: Record<string, string>) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { encoding: 'utf8', env: { ...process.env, EVPN_LENS_API_TOKEN: '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

// The bearer token of api.auth.tokenEnv: the API and /metrics want it; the CLI sends it from the same variable; the
// dashboard asks for it once and keeps it for the browser session.
describe('API token', () => {
  let server: HttpServer & { stopAll(): Promise<void> };
  let browser: Browser | undefined;

  beforeAll(async () => {
    server = await startApiServer({ auth: { token: TOKEN } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stopAll();
  });

  it('refuses /v1 and /metrics without the token, with 401 problem+json, and leaves health and the page open', async () => {
    for (const path of ['/v1/fabrics', `/v1/hosts/${API_SERVER_MACS[0]}`, '/metrics', '/v1/openapi.json']) {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`]) {
        const res = await fetch(`${server.url}${path}`, authorization ? { headers: { authorization } } : {});
        expect(res.status, `${path} ${authorization}`).toBe(401);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="evpn-lens"');
        expect(((await res.json()) as { status: number }).status).toBe(401);
      }
      expect((await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(200);
    }
    for (const path of ['/healthz', '/readyz', '/', '/app.js']) expect((await fetch(`${server.url}${path}`)).status, path).toBe(200);
  });

  it('lets the CLI use the token from EVPN_LENS_API_TOKEN, and says which variable is missing', async () => {
    const ok = await runCli(['where', API_SERVER_MACS[1]!, '--json', '--api', server.url], { EVPN_LENS_API_TOKEN: TOKEN });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ mac: API_SERVER_MACS[1] });

    const missing = await runCli(['alerts', '--api', server.url], {});
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('evpn-lens: the API wants a bearer token: set EVPN_LENS_API_TOKEN');

    const other = await runCli(['alerts', '--json', '--api', server.url], { EVPN_LENS_API_TOKEN_ENV: 'MY_TOKEN', MY_TOKEN: TOKEN });
    expect(other.status).toBe(0);
    const wrong = await runCli(['alerts', '--api', server.url], { EVPN_LENS_API_TOKEN_ENV: 'MY_TOKEN', MY_TOKEN: 'nope-0123456789abcdef' });
    expect(wrong.stderr.trim()).toBe('evpn-lens: the API refused the token in MY_TOKEN');
  });

  it('makes the dashboard ask for the token once per browser session', async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#token-dialog[open]');
    // A wrong token is refused and asked again.
    await page.fill('#token', 'wrong-token-0123456789');
    await page.click('#token-dialog button[type=submit]');
    await page.waitForSelector('#token-dialog[open] #token-error:not([hidden])');
    await page.fill('#token', TOKEN);
    await page.click('#token-dialog button[type=submit]');
    await page.waitForSelector('.card.fabric[data-fabric="dc1"]');
    expect(await page.isVisible('#token-dialog')).toBe(false);
    // Same session (reload, another page): no question; the token is in sessionStorage, not in localStorage.
    await page.reload();
    await page.waitForSelector('.card.fabric[data-fabric="dc2"]');
    expect(await page.isVisible('#token-dialog')).toBe(false);
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([1, 0]);
    await page.goto(`${server.url}/#/host/${API_SERVER_MACS[2]}`);
    await page.waitForSelector('table.locations tbody tr');
    // A new browser session asks again.
    const fresh = await (await browser.newContext()).newPage();
    await fresh.goto(`${server.url}/`);
    await fresh.waitForSelector('#token-dialog[open]');
  });
});
