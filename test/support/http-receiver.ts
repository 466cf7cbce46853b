/** An in-process HTTP receiver for delivery tests: records each request and answers what the test says. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

export type Answer = { status: number; body?: string; delayMs?: number };

export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  url = '';
  private server: Server | undefined;

  constructor(
    public answer: (req: { path: string; body: string; headers: IncomingHttpHeaders }) => Answer = () => ({ status: 200 }),
    private readonly host = '127.0.0.1',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url ?? '';
        const a = this.answer({ path, body, headers: req.headers });
        this.requests.push({ at: Date.now(), method: req.method ?? '', path, headers: req.headers, body, status: a.status });
        const send = () => {
          if (!res.destroyed) res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body ?? (a.status < 300 ? 'ok' : 'error'));
        };
        if (a.delayMs) setTimeout(send, a.delayMs);
        else send();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, this.host, r));
    const addr = this.server.address();
    this.url = `http://${this.host}:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return this;
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
