import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../../../collector/index.js';
import { RecordingPublisher } from '../../support/recording-publisher.js';

const collectors: Collector[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of collectors.splice(0)) await c.stop();
});

async function station(o: { host: string; allow?: string[]; maxSessions?: number; maxMessageBytes?: number }): Promise<Collector> {
  const c = await startCollector({
    listen: { host: o.host, port: 0 },
    allow: o.allow ?? [],
    maxSessions: o.maxSessions ?? 1_000,
    maxMessageBytes: o.maxMessageBytes ?? 4 * 1024 * 1024,
    fabrics: [],
    publisher: new RecordingPublisher(),
    logger: pino({ level: 'silent' }),
  });
  collectors.push(c);
  return c;
}

/** evpnlens_bmp_sessions_total{result} as counted by the station. */
async function sessionsCounted(c: Collector, result: string): Promise<number> {
  const line = (await c.registry.getSingleMetricAsString('evpnlens_bmp_sessions_total'))
    .split('\n')
    .find((l) => l.startsWith(`evpnlens_bmp_sessions_total{result="${result}"}`));
  return line ? Number(line.split(' ')[1]) : 0;
}

const decisions = async (c: Collector) =>
  (await sessionsCounted(c, 'accepted')) + (await sessionsCounted(c, 'refused')) + (await sessionsCounted(c, 'refused_limit'));

/** Polls `probe` until it holds; a generous deadline, so that a loaded machine only makes it slower. */
async function until(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Connects from `from` and waits for the station's decision (its sessions counter moves), not for a time window:
 * `kept` is whether it accepted the connection.
 */
async function connectFrom(c: Collector, from: string): Promise<{ socket: Socket; kept: boolean }> {
  const [before, acceptedBefore] = [await decisions(c), await sessionsCounted(c, 'accepted')];
  const socket = connect({ host: c.address.host, port: c.address.port, localAddress: from });
  sockets.push(socket);
  let closed = false;
  let failed: Error | undefined;
  socket.on('close', () => (closed = true));
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'ECONNRESET') failed = err;
  });
  await until(async () => {
    if (failed) throw failed;
    return (await decisions(c)) > before;
  }, `the station's decision on a connection from ${from}`);
  return { socket, kept: (await sessionsCounted(c, 'accepted')) > acceptedBefore && !closed };
}

// Loopback addresses of this helper's range (127.0.8.0/24) stand for routers on different hosts.
describe('BMP station limits', () => {
  it('refuses sessions beyond collector.bmp.maxSessions, and takes new ones when a session ends', async () => {
    const c = await station({ host: '127.0.8.20', maxSessions: 2 });
    const a = await connectFrom(c, '127.0.8.21');
    const b = await connectFrom(c, '127.0.8.22');
    const third = await connectFrom(c, '127.0.8.23');
    expect([a.kept, b.kept, third.kept]).toEqual([true, true, false]);
    expect(c.sessions()).toBe(2);
    expect(await sessionsCounted(c, 'refused_limit')).toBe(1);
    a.socket.destroy();
    await until(() => c.sessions() === 1, 'the first session to end');
    expect((await connectFrom(c, '127.0.8.23')).kept).toBe(true);
  });

  it('takes routers only from the allowlist', async () => {
    const c = await station({ host: '127.0.8.30', allow: ['127.0.8.31/32', '127.0.8.64/26'] });
    expect((await connectFrom(c, '127.0.8.31')).kept).toBe(true);
    expect((await connectFrom(c, '127.0.8.70')).kept).toBe(true);
    expect((await connectFrom(c, '127.0.8.32')).kept).toBe(false);
    expect((await connectFrom(c, '127.0.8.200')).kept).toBe(false);
    expect(await sessionsCounted(c, 'refused')).toBe(2);
  });

  it('closes a session announcing a message above collector.bmp.maxMessageBytes before buffering it', async () => {
    const c = await station({ host: '127.0.8.40', maxMessageBytes: 4096 });
    const r = await connectFrom(c, '127.0.8.41');
    expect(r.kept).toBe(true);
    // RFC 7854 §4.1 common header: version 3, message length 4097 (one byte over), type 0 (Route Monitoring).
    r.socket.write(Buffer.from([3, 0, 0, 0x10, 0x01, 0]));
    await new Promise<void>((resolve) => (r.socket.destroyed ? resolve() : r.socket.once('close', () => resolve())));
    expect(await c.registry.getSingleMetricAsString('evpnlens_bmp_decode_errors_total')).toContain('evpnlens_bmp_decode_errors_total{kind="framing"} 1');
    expect(c.sessions()).toBe(0);
  });
});
