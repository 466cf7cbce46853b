/**
 * A minimal BGP speaker for tests (RFC 4271): it listens where a GoBGP neighbor dials it, answers OPEN / KEEPALIVE,
 * and sends the UPDATEs a test builds with test/fixtures/bmp/builders.ts. For attributes the GoBGP CLI cannot set
 * (GoBGP 3.10 refuses `esi-label <label> single-active`).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { bgpMessage, open } from '../../fixtures/bmp/builders.js';

export class BgpSpeaker {
  private server: Server | undefined;
  private socket: Socket | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private establishedResolve: (() => void) | undefined;
  readonly established = new Promise<void>((r) => {
    this.establishedResolve = r;
  });

  constructor(readonly o: { address: string; port: number; asn: number; bgpId: string }) {}

  async listen(): Promise<void> {
    this.server = createServer((s) => {
      if (this.socket) {
        s.destroy(); // one session
        return;
      }
      this.socket = s;
      s.on('error', () => {});
      s.write(open({ asn: this.o.asn, bgpId: this.o.bgpId, holdTime: 9 }));
      s.write(bgpMessage(4, Buffer.alloc(0)));
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 19) {
          const len = buf.readUInt16BE(16);
          if (buf.length < len) break;
          const type = buf[18];
          buf = buf.subarray(len);
          if (type === 4) this.establishedResolve?.();
        }
      });
      this.keepalive = setInterval(() => s.write(bgpMessage(4, Buffer.alloc(0))), 3000);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.o.port, this.o.address, () => resolve());
    });
  }

  async send(...updates: Buffer[]): Promise<void> {
    await this.established;
    for (const u of updates) this.socket!.write(u);
  }

  async close(): Promise<void> {
    clearInterval(this.keepalive);
    this.socket?.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
