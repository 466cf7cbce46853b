/**
 * A TCP relay between a router and the collector that can make a BMP session half-open: when the router's side ends
 * (the router was killed), the collector's side is kept open, as when a router loses power and its FIN never arrives.
 * Each upstream connection is made from `upstreamAddress` (the router's own address), so the collector sees the
 * router, not the relay. `refuse()` stops listening (the router's reconnects get ECONNREFUSED and it backs off),
 * `accept()` listens again on the same port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class HalfOpenProxy {
  private server: Server | undefined;
  readonly upstreams: { socket: Socket; closedAt?: number; bytes: number }[] = [];

  constructor(
    readonly listen: { host: string; port: number },
    readonly target: { host: string; port: number },
    readonly upstreamAddress: string,
  ) {}

  async accept(): Promise<void> {
    if (this.server) return;
    const server = createServer((down) => {
      const up = connect({ host: this.target.host, port: this.target.port, localAddress: this.upstreamAddress });
      const entry: { socket: Socket; closedAt?: number; bytes: number } = { socket: up, bytes: 0 };
      this.upstreams.push(entry);
      down.on('data', (chunk: Buffer) => {
        entry.bytes += chunk.length;
        up.write(chunk);
      });
      // The router's end going away is not passed on: the collector's session stays open (half-open).
      down.on('error', () => undefined);
      up.on('error', () => undefined);
      up.on('close', () => {
        entry.closedAt = Date.now();
        down.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listen.port, this.listen.host, () => resolve());
    });
    this.server = server;
  }

  async refuse(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    s?.close(); // stops listening at once; the connections already made go on
  }

  async stop(): Promise<void> {
    await this.refuse();
    for (const u of this.upstreams) u.socket.destroy();
  }
}
