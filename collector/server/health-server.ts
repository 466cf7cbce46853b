/**
 * The collector's health and metrics endpoint on Fargate (and in tests): GET /healthz answers 200 while the task can
 * publish or the whole cluster is away (PublishHealth tells them apart), 503 when this task alone cannot publish, with
 * the state, the detail and the BMP session count as JSON; GET /metrics serves the Prometheus registry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { PublishHealth } from '../publish/publish-health.js';

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(o: {
  host: string;
  port: number;
  health: PublishHealth;
  registry: Registry;
  sessions: () => number;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/healthz') {
      void o.health.check().then(
        (s) => res.writeHead(s.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ ...s, sessions: o.sessions() })),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (req.url === '/metrics') {
      void o.registry.metrics().then((text) => res.writeHead(200, { 'content-type': o.registry.contentType }).end(text));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
