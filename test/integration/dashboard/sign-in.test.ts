/**
 * The dashboard's sign-in on the AWS deployment: with a config.json naming a JWT issuer (as the CDK app deploys it),
 * the page signs in with the authorization code flow and PKCE against a real OpenID provider (oidc-provider), and
 * every API request carries an ID token the issuer signed for the dashboard's client — what API Gateway's JWT
 * authorizer checks. The stand-in API here checks the same (jose against the issuer's keys) and refuses anything else.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import Provider from 'oidc-provider';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { DASHBOARD_VENDOR_DIRS } from '../../../infra/local/dashboard-vendor.js';
import { freePort } from '../../../infra/local/free-port.js';
import { waitFor } from '../support/env.js';

const DASHBOARD = resolve(import.meta.dirname, '../../../dashboard');
const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

it('signs in against the JWT issuer with PKCE and sends the ID token with every API request', async () => {
  // Arrange: an OpenID provider, and the dashboard's files with an API that accepts only its ID tokens.
  const [idpPort, webPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${idpPort}`;
  const origin = `http://127.0.0.1:${webPort}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'dashboard',
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${origin}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    cookies: { keys: ['evpn-lens-test'] },
    claims: { openid: ['sub'], email: ['email'] },
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id, email: `${id}@example.com` }) }),
  });
  const idp: Server = provider.listen(idpPort);
  closers.push(() => new Promise<void>((r) => idp.close(() => r())));
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const seen: { path: string; sub?: string; refused?: string }[] = [];
  const web = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/config.json')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ signIn: { issuer, clientId: 'dashboard' } }));
    if (url.pathname.startsWith('/v1/')) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      try {
        const { payload } = await jwtVerify(token ?? '', keys, { issuer, audience: 'dashboard' });
        seen.push({ path: url.pathname, sub: payload.sub });
        const body = url.pathname === '/v1/alerts' ? { alerts: [] } : url.pathname === '/v1/fabrics' ? { fabrics: [] } : {};
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } catch (err) {
        seen.push({ path: url.pathname, refused: (err as Error).message });
        return void res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ detail: 'unauthorized' }));
      }
    }
    const vendor = Object.entries(DASHBOARD_VENDOR_DIRS).find(([prefix]) => url.pathname.startsWith(prefix));
    const file = vendor ? join(vendor[1], url.pathname.slice(vendor[0].length)) : join(DASHBOARD, url.pathname === '/' ? 'index.html' : url.pathname.slice(1));
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'text/html';
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': type }).end(content);
  });
  await new Promise<void>((r) => web.listen(webPort, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => web.close(() => r())));
  const browser: Browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  closers.push(() => browser.close());
  const page = await browser.newPage();

  // Act: open the dashboard, sign in at the provider (its development login and consent pages), come back.
  await page.goto(`${origin}/#/alerts`, { waitUntil: 'commit' });
  await page.waitForURL(`${issuer}/**`);
  await page.fill('input[name=login]', 'noc-operator');
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  await page.click('button[type=submit]'); // consent
  await page.waitForURL(`${origin}/**`);
  await waitFor(() => (seen.some((s) => s.sub) ? true : undefined), 'an authorized API request', 30_000);

  // Assert: back on the page it left (the code and state gone from the address), every API request authorized.
  expect(new URL(page.url()).search).toBe('');
  expect(new URL(page.url()).hash).toBe('#/alerts');
  expect(seen.filter((s) => s.refused)).toEqual([]);
  expect(seen.every((s) => s.sub === 'noc-operator')).toBe(true);
});
