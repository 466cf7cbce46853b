/**
 * The local stack's HTTP server (fastify): turns each request into an API Gateway HTTP API (payload v2) event for the
 * same API handler that runs on AWS, serves the dashboard's static files at /, and Prometheus metrics at /metrics.
 */
import fastifyStatic from '@fastify/static';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface HttpServerOptions {
  host: string;
  port: number;
  api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;
  registries?: Registry[];
  dashboardDir?: string;
  /** Library files the dashboard loads, served from the installed package (never a CDN): URL prefix → directory. */
  vendorDirs?: Record<string, string>;
}

export interface HttpServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export function toApiGatewayEvent(o: {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  sourceIp: string;
}): APIGatewayProxyEventV2 {
  const u = new URL(o.url, 'http://local');
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: u.pathname,
    rawQueryString: u.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'local',
      domainPrefix: 'local',
      http: { method: o.method, path: u.pathname, protocol: 'HTTP/1.1', sourceIp: o.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: `${now.getTime()}-${Math.random().toString(36).slice(2)}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const app = Fastify({ logger: false });
  if (o.dashboardDir) await app.register(fastifyStatic, { root: o.dashboardDir, prefix: '/', index: 'index.html', wildcard: false });
  for (const [prefix, root] of Object.entries(o.vendorDirs ?? {})) await app.register(fastifyStatic, { root, prefix, decorateReply: false });
  app.get('/metrics', async (_req, reply) => {
    const parts = await Promise.all((o.registries ?? []).map((r) => r.metrics()));
    reply.header('content-type', 'text/plain; version=0.0.4');
    return parts.join('\n');
  });
  const forward = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const res = await o.api(toApiGatewayEvent({ method: req.method, url: req.url, headers: req.headers, sourceIp: req.ip }));
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
  const host = o.host === '0.0.0.0' ? '127.0.0.1' : o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}
