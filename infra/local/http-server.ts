/**
 * The local stack's HTTP server (fastify): turns each request into an API Gateway HTTP API (payload v2) event for the
 * same API handler that runs on AWS, serves the dashboard's static files at /, and Prometheus metrics at /metrics.
 *
 * Whatever a client sends, the answer is a 4xx application/problem+json (RFC 9457), never a 5xx: malformed URLs,
 * request lines and headers Node's parser refuses, oversized bodies, unknown paths and methods. With a token
 * configured, /v1/* and /metrics want `Authorization: Bearer <token>` (the dashboard's files, /healthz and /readyz stay
 * open so the page can load and ask for it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fastifyStatic from '@fastify/static';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  host: string;
  port: number;
  api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;
  registries?: Registry[];
  dashboardDir?: string;
  /** Library files the dashboard loads, served from the installed package (never a CDN): URL prefix → directory. */
  vendorDirs?: Record<string, string>;
  /** A bearer token for /v1/* and /metrics, or 'none' (the default). */
  auth?: 'none' | { token: string };
  /** Larger request bodies get 413 (default 16 KiB). */
  maxBodyBytes?: number;
}

export interface HttpServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Routes behind the token when one is configured. */
const PROTECTED_ROUTES = new Set(['/v1/*', '/metrics']);

export function problemBody(status: number, detail: string, instance = ''): string {
  const title = STATUS_CODES[status] ?? 'Error';
  return JSON.stringify({ type: `https://evpn-lens.dev/problems/${title.toLowerCase().replace(/\s+/g, '-')}`, title, status, detail, instance });
}

function sendProblem(reply: FastifyReply, status: number, detail: string, headers: Record<string, string> = {}): FastifyReply {
  const path = reply.request.url.split('?')[0] ?? '';
  reply.code(status).headers(headers).type('application/problem+json');
  return reply.send(problemBody(status, detail, path.slice(0, 256)));
}

/** Requests Node's HTTP parser refuses never reach fastify: answered here, on the socket, in the same format. */
function clientErrorHandler(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : [400, 'the request is not valid HTTP/1.1'];
  // The answer to a HEAD request has no body (the client would take one as the start of a next answer).
  const head = Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = problemBody(status, detail);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${head ? '' : body}`,
    );
  socket.destroy();
}

/** Splits the request target without interpreting it: API Gateway's rawPath / rawQueryString are the raw bytes. */
function splitTarget(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return { path: path.startsWith('/') ? path : `/${path}`, query: q < 0 ? '' : url.slice(q + 1) };
}

export function toApiGatewayEvent(o: {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  sourceIp: string;
  body?: Buffer;
}): APIGatewayProxyEventV2 {
  const { path, query: rawQuery } = splitTarget(o.url);
  // As API Gateway does: values decoded, repeated keys joined with commas (URLSearchParams never throws on bad escapes).
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: rawQuery,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    ...(o.body?.length ? { body: o.body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'local',
      domainPrefix: 'local',
      http: { method: o.method, path, protocol: 'HTTP/1.1', sourceIp: o.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: `${now.getTime()}-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** Compares digests, so neither the token's length nor its prefix leaks through timing. */
function tokenMatcher(token: string): (header: string | undefined) => boolean {
  const want = createHash('sha256').update(token).digest();
  return (header) => {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
    return m !== null && timingSafeEqual(createHash('sha256').update(m[1]!).digest(), want);
  };
}

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({
    logger: false,
    bodyLimit: o.maxBodyBytes ?? 16_384,
    clientErrorHandler,
    // Errors the router raises before any handler (a malformed percent-encoding in the path, …).
    frameworkErrors: (err, _req, reply) => sendProblem(reply, 400, `the request URL is malformed (${err.code ?? 'bad URL'})`),
  });
  // The API reads no bodies; every body is taken as bytes, bounded by bodyLimit, and passed on as API Gateway would.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, `no resource at ${req.url.split('?')[0]!.slice(0, 200)}`));
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) reply.log.error({ err }, 'HTTP server error');
    return sendProblem(reply, status, status === 500 ? 'the request failed; see the server log' : err.message);
  });
  if (o.auth && o.auth !== 'none') {
    const matches = tokenMatcher(o.auth.token);
    app.addHook('onRequest', async (req, reply) => {
      if (!PROTECTED_ROUTES.has(req.routeOptions.url ?? '')) return;
      if (!matches(req.headers.authorization))
        return sendProblem(reply, 401, 'a bearer token is required (Authorization: Bearer …)', { 'www-authenticate': 'Bearer realm="evpn-lens"' });
    });
  }
  if (o.dashboardDir) await app.register(fastifyStatic, { root: o.dashboardDir, prefix: '/', index: 'index.html', wildcard: false });
  for (const [prefix, root] of Object.entries(o.vendorDirs ?? {})) await app.register(fastifyStatic, { root, prefix, decorateReply: false });
  app.get('/metrics', async (_req, reply) => {
    const parts = await Promise.all((o.registries ?? []).map((r) => r.metrics()));
    reply.header('content-type', 'text/plain; version=0.0.4');
    return parts.join('\n');
  });
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const res = await o.api(toApiGatewayEvent({ method: req.method, url: req.url, headers: req.headers, sourceIp: req.ip, ...(body ? { body } : {}) }));
    if (typeof res === 'string') return reply.type('application/json').send(res);
    reply.code(res.statusCode ?? 200);
    for (const [k, v] of Object.entries(res.headers ?? {})) reply.header(k, String(v));
    return reply.send(res.body ?? '');
  };
  app.all('/v1/*', forward);
  app.all('/healthz', forward);
  app.all('/readyz', forward);
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '[::1]' : o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}
