/** A synthetic router's BMP session: a TCP connection to the station (from a chosen loopback address), fed bytes. */
import { connect, type Socket } from 'node:net';

export async function openBmp(port: number, o: { host?: string; localAddress?: string } = {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: o.host ?? '127.0.0.1', localAddress: o.localAddress }, () => resolve(s));
    s.once('error', reject);
    s.resume(); // the station sends nothing; never let a buffer fill
  });
}

/** Writes `data` honouring TCP backpressure (the station pauses its socket while its publisher is full). */
export async function write(s: Socket, data: Buffer, chunk = 256 * 1024): Promise<void> {
  for (let off = 0; off < data.length; off += chunk) {
    if (s.destroyed) throw new Error('the BMP session was closed');
    if (!s.write(data.subarray(off, off + chunk)))
      await new Promise<void>((r) => {
        // A session the station closes never drains.
        const done = () => {
          s.off('drain', done);
          s.off('close', done);
          r();
        };
        s.once('drain', done);
        s.once('close', done);
      });
  }
}

/** Writes `data` at about `perSecond` messages… approximated by bytes: `bytesPerSecond`, in slices of `sliceMs`. */
export async function writePaced(s: Socket, data: Buffer, bytesPerSecond: number, sliceMs = 50): Promise<void> {
  const per = Math.max(1, Math.floor((bytesPerSecond * sliceMs) / 1000));
  const t0 = Date.now();
  for (let off = 0, k = 1; off < data.length; off += per, k++) {
    await write(s, data.subarray(off, off + per));
    const due = t0 + k * sliceMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

export async function closeBmp(s: Socket): Promise<void> {
  await new Promise<void>((r) => s.end(() => r()));
}
