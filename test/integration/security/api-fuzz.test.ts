import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../../infra/local/http-server.js';
import { API_SERVER_MACS, startApiServer } from '../support/api-server.js';

const MAX_BODY = 16_384;

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One request through Node's HTTP client (what it refuses to send is not a request, and is filtered out before). */
function send(server: HttpServer, agent: Agent, o: { method: string; path: string; headers: Record<string, string>; body?: Buffer }): Promise<Answer> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: o.method, path: o.path, headers: o.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/**
 * Raw bytes on a socket: the answer's status line and content type; 'closed' when the server closed without one;
 * 'silent' when it neither answered nor closed within 10 s (a hanging server: a failure, never a pass).
 */
function sendRaw(server: HttpServer, bytes: Buffer): Promise<{ status: number; type: string; body: string } | 'closed' | 'silent'> {
  const u = new URL(server.url);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    let data = '';
    let silent = false;
    s.setTimeout(10_000, () => {
      silent = true;
      s.destroy();
    });
    s.on('data', (c: Buffer) => {
      data += c.toString('latin1');
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      // The first answer only (trailing bytes may make a second request, answered after it).
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (!m) return resolve(silent ? 'silent' : 'closed');
      const head = data.slice(0, data.indexOf('\r\n\r\n'));
      const type = /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1] ?? '';
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
      resolve({ status: Number(m[1]), type, body: data.slice(head.length + 4, head.length + 4 + length) });
    });
    s.write(bytes);
    // Half-close: the request is complete; keep-alive requests get their answer, and the server then closes.
    s.end();
  });
}

function expectProblem(a: Answer, what: string, method = 'GET'): void {
  expect(a.status, what).toBeLessThan(500);
  if (a.status >= 400) {
    expect(a.type, what).toMatch(/^application\/problem\+json/);
    // (HEAD: the same headers, no body.)
    if (method !== 'HEAD') expect(JSON.parse(a.body), what).toMatchObject({ status: a.status, title: expect.any(String), detail: expect.any(String) });
  }
}

// --- what a careless or hostile client sends -------------------------------------------------------------------------
const pathChar = fc.constantFrom(..."abcdefxyz0189:-._~!$&'()*+,;=@/%?#[]".split(''), '%zz', '%E0%A4%A', '%00', '%2F', '%25', '..', '//', 'é', '\u00ff');
const segment = fc.oneof(
  fc.string({ unit: pathChar, maxLength: 30 }),
  fc.constantFrom(...API_SERVER_MACS, 'AABB.CCDD.EEFF', '10.14.1.3', '2001:db8::1', '14000', '0', '16777216', '-1', '9'.repeat(40)),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
  fc.constant('x'.repeat(5_000)),
);
const path = fc
  .tuple(
    fc.constantFrom(
      '/v1/hosts/',
      '/v1/hosts',
      '/v1/vnis/',
      '/v1/vteps/',
      '/v1/alerts',
      '/v1/fabrics',
      '/v1/openapi.json',
      '/healthz',
      '/readyz',
      '/metrics',
      '/',
      '/app.js',
      '/v1/',
      '/v2/x',
      '',
    ),
    fc.array(segment, { maxLength: 3 }),
    fc.constantFrom('', '/hosts', '/'),
  )
  .map(([p, segs, tail]) => `${p}${segs.join('/')}${tail}`)
  .map((p) => (p.startsWith('/') ? p : `/${p}`));
const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '1',
    '50',
    '500',
    '501',
    '0',
    '-3',
    '1e3',
    '99999999999',
    'true',
    'false',
    '2026-11-24T10:00:00Z',
    '2026-13-45',
    'mac-flap',
    'fabric-status',
    '10.14.1.3',
    '::1',
  ),
  fc.base64String({ maxLength: 60 }),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc
    .record({
      s: fc.integer({ min: -2, max: 20 }),
      k: fc.dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'x'), fc.string({ maxLength: 30 })),
    })
    .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url')),
);
const query = fc
  .array(fc.tuple(fc.constantFrom('limit', 'cursor', 'ip', 'at', 'since', 'type', 'active', 'x', '', 'limit[]'), queryValue), { maxLength: 4 })
  .map((pairs) =>
    pairs.length ? `?${pairs.map(([k, v]) => `${k}=${Math.random() < 0.5 ? encodeURIComponent(v) : v.replace(/[^\x21-\x7e]/g, '')}`).join('&')}` : '',
  );
const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x20-\x7e]{0,80}$/),
  fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*', 'Bearer x', 'gzip'),
);
const headers = fc.dictionary(
  fc.oneof(token, fc.constantFrom('content-type', 'accept', 'authorization', 'content-encoding', 'x-forwarded-for', 'origin', 'range')),
  headerValue,
  {
    maxKeys: 5,
  },
);
const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'), fc.stringMatching(/^[A-Z]{1,8}$/));
const body = fc.oneof(fc.constant(undefined), fc.uint8Array({ maxLength: 2_000 }), fc.constant('one byte over maxBodyBytes' as const));
const bodyBytes = (b: Uint8Array | string | undefined) =>
  b === undefined ? undefined : typeof b === 'string' ? Buffer.alloc(MAX_BODY + 1, 0x61) : Buffer.from(b);

describe('API under fuzzing', () => {
  let server: HttpServer & { stopAll(): Promise<void> };
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const seen = new Map<number, number>();

  beforeAll(async () => {
    server = await startApiServer({ maxBodyBytes: MAX_BODY });
  });
  afterAll(async () => {
    agent.destroy();
    await server?.stopAll();
  });

  it('answers 10,000 random requests (paths, queries, methods, headers, bodies) with no 5xx, every error as problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, body, async (m, p, q, h, b) => {
        const bytes = m !== 'GET' && m !== 'HEAD' ? bodyBytes(b) : undefined;
        const a = await send(server, agent, { method: m, path: `${p}${q}`, headers: h, ...(bytes ? { body: bytes } : {}) });
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
        expectProblem(a, `${m} ${p}${q}`, m);
      }),
      { numRuns: 10_000 },
    );
    // The fuzzing reached the handlers, not only the router: found hosts, bad input, unknown paths, refused methods.
    for (const status of [200, 400, 404, 405]) expect(seen.get(status) ?? 0, `status ${status}`).toBeGreaterThan(20);
  });

  it('answers 1,000 malformed raw requests with a 4xx problem+json or a closed connection, never a 5xx', async () => {
    const line = fc.oneof(
      fc.tuple(method, fc.string({ unit: fc.constantFrom(...'/%zA9 \t:?#\u0000\u00ff'.split('')), maxLength: 40 })).map(([m, t]) => `${m} /${t} HTTP/1.1`),
      fc.constantFrom(
        'GET /v1/hosts/a b HTTP/1.1',
        'GET /v1/hosts/%zz HTTP/1.1',
        'GET / HTTP/9.9',
        'GET',
        '\u0000\u0001\u0002',
        'GET /v1/fabrics HTTP/1.1\r\nHost',
      ),
    );
    const head = fc.array(
      fc.oneof(
        fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
        fc.constantFrom('Content-Length: -1', 'Content-Length: abc', 'Transfer-Encoding: chunked', 'Host:', ':x'),
      ),
      {
        maxLength: 4,
      },
    );
    const outcomes = { answered: 0, closed: 0 };
    await fc.assert(
      fc.asyncProperty(line, head, fc.uint8Array({ maxLength: 100 }), async (l, hs, tail) => {
        const a = await sendRaw(server, Buffer.concat([Buffer.from(`${[l, 'Host: x', ...hs].join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(tail)]));
        expect(a, `${JSON.stringify(l)}: the server neither answered nor closed`).not.toBe('silent');
        if (a === 'closed') outcomes.closed++;
        else if (a !== 'silent') {
          outcomes.answered++;
          expectProblem(a, l, l.split(' ')[0]);
        }
      }),
      { numRuns: 1_000 },
    );
    // Most malformed requests get an answer: a server that closed every connection unanswered would pass the property.
    expect(outcomes.answered, JSON.stringify(outcomes)).toBeGreaterThan(outcomes.closed);
  });

  it('answers a malformed percent-encoding in a path with 400, not 500', async () => {
    for (const p of ['/v1/hosts/%zz', '/v1/hosts/%E0%A4%A', '/v1/vnis/%/hosts', '/v1/vteps/%C0%80/hosts']) {
      const a = await send(server, agent, { method: 'GET', path: p, headers: {} });
      expect(a.status, p).toBe(400);
      expectProblem(a, p);
    }
  });

  it('limits a page to 500 hosts and a request body to maxBodyBytes', async () => {
    expect((await send(server, agent, { method: 'GET', path: '/v1/vnis/14000/hosts?limit=500', headers: {} })).status).toBe(200);
    const over = await send(server, agent, { method: 'GET', path: '/v1/vnis/14000/hosts?limit=501', headers: {} });
    expect(over.status).toBe(400);
    expect(JSON.parse(over.body).detail).toBe('limit must be an integer 1..500');
    const big = await send(server, agent, {
      method: 'POST',
      path: '/v1/alerts',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_BODY + 1, 0x20),
    });
    expect(big.status).toBe(413);
    expectProblem(big, 'oversized body');
    const fits = await send(server, agent, {
      method: 'POST',
      path: '/v1/alerts',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_BODY, 0x20),
    });
    expect(fits.status).toBe(405); // read (and refused by the API: it takes GET only), not cut off
  });
});
