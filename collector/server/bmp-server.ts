/**
 * The BMP station's TCP server: routers connect (RFC 7854 §3.2: the router initiates), one BmpSession each.
 * Reading a socket pauses when the publisher said its buffer is full (an `enqueue` returned false: TCP backpressure to
 * the router) and resumes when it has drained below its low-water mark. A framing error closes only that session; a
 * session cut in the middle of a message is counted and logged; nothing a router sends reaches the process's top level.
 * A session reads nothing before it has its epoch (SessionContext.acquireEpoch; retried with back-off while Kafka does
 * not acknowledge): the router's bytes wait in TCP buffers meanwhile.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { DecodeError } from '../bmp/errors.js';
import { BmpFrameDecoder } from '../bmp/framing.js';
import { BmpSession, type SessionContext } from '../session/bmp-session.js';

export interface BmpServerOptions {
  host: string;
  port: number;
  allow: (address: string) => boolean;
  maxMessageBytes: number;
  /** Connections beyond this many sessions are closed at once (each session holds a router's RIB in memory). */
  maxSessions: number;
  context: SessionContext;
  logger: Logger;
}

export interface BmpServer {
  server: Server;
  address: { host: string; port: number };
  sessions(): number;
  close(): Promise<void>;
}

export async function startBmpServer(opts: BmpServerOptions): Promise<BmpServer> {
  const { metrics } = opts.context;
  const sockets = new Set<Socket>();
  /** Connections waiting for their epoch. */
  const waiting = new Set<Socket>();

  /** The epoch of a new session of `remote`, retried with back-off until Kafka acknowledges or the socket closes. */
  const epochOf = async (remote: string, socket: Socket): Promise<bigint | undefined> => {
    const acquire = opts.context.acquireEpoch;
    if (!acquire) return 0n;
    for (let attempt = 0; !socket.destroyed; attempt++) {
      try {
        return await acquire(remote);
      } catch (err) {
        const delay = Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
        opts.logger.warn(
          { router: remote, attempt, err: err instanceof Error ? err.message : String(err) },
          `could not record the BMP session start; retrying in ${delay} ms`,
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    return undefined;
  };

  const onConnection = (socket: Socket) => {
    socket.pause();
    const remote0 = socket.remoteAddress ?? 'unknown';
    if (!opts.allow(remote0)) {
      metrics.sessionsTotal.inc({ result: 'refused' });
      opts.logger.warn({ router: remote0 }, 'BMP connection from an address not in collector.bmp.allow; closed');
      socket.destroy();
      return;
    }
    // Sessions up and waiting for their epoch count alike: each will hold a router's RIB.
    if (sockets.size + waiting.size >= opts.maxSessions) {
      metrics.sessionsTotal.inc({ result: 'refused_limit' });
      opts.logger.warn(
        { router: remote0, sessions: sockets.size + waiting.size },
        `BMP connection refused: collector.bmp.maxSessions (${opts.maxSessions}) reached`,
      );
      socket.destroy();
      return;
    }
    // Until the epoch is known the socket is only watched for its end.
    const early = () => undefined;
    socket.on('error', early);
    waiting.add(socket);
    void epochOf(remote0, socket).then((epoch) => {
      waiting.delete(socket);
      socket.off('error', early);
      if (epoch === undefined || socket.destroyed) return;
      startSession(socket, epoch);
      socket.resume();
    });
  };

  const startSession = (socket: Socket, epoch: bigint) => {
    const remote = socket.remoteAddress ?? 'unknown';
    metrics.sessionsTotal.inc({ result: 'accepted' });
    metrics.sessions.inc();
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const framer = new BmpFrameDecoder(opts.maxMessageBytes);
    const session = new BmpSession(remote, opts.context, () => socket.destroy(), epoch);
    opts.logger.info({ router: remote, port: socket.remotePort, epoch: String(epoch) }, 'BMP session up');
    let ended = false;
    const end = (detail: string) => {
      if (ended) return;
      ended = true;
      sockets.delete(socket);
      metrics.sessions.dec();
      if (framer.bufferedBytes > 0) {
        metrics.truncatedSessions.inc();
        opts.logger.warn(
          { router: remote, bufferedBytes: framer.bufferedBytes, expectedBytes: framer.expectedBytes },
          'BMP session ended in the middle of a message; the partial message is dropped',
        );
      }
      try {
        session.close(detail);
      } catch (err) {
        opts.logger.error({ err, router: remote }, 'error while closing a session');
      }
      opts.logger.info({ router: remote, detail }, 'BMP session down');
    };
    socket.on('data', (chunk: Buffer) => {
      metrics.bytes.inc(chunk.length);
      try {
        for (const m of framer.push(chunk)) session.handle(m);
      } catch (err) {
        const framing = err instanceof DecodeError;
        metrics.decodeErrors.inc({ kind: framing ? 'framing' : 'internal' });
        opts.logger.warn(
          { router: remote, err: err instanceof Error ? err.message : String(err), ...(framing ? { offset: err.context.offset, hex: err.context.hex } : {}) },
          'BMP stream cannot be framed; closing this session',
        );
        socket.destroy();
        end('framing error');
        return;
      }
      if (session.takeBackpressure() && !socket.isPaused()) {
        socket.pause();
        const started = process.hrtime.bigint();
        void opts.context.publisher.whenDrained().then(() => {
          metrics.backpressureSeconds.inc(Number(process.hrtime.bigint() - started) / 1e9);
          if (!socket.destroyed) socket.resume();
        });
      }
    });
    socket.on('error', (err) => opts.logger.debug({ router: remote, err: err.message }, 'BMP socket error'));
    socket.on('close', () => end('TCP session closed'));
  };

  const server = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    server,
    address: { host: opts.host, port },
    sessions: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of [...sockets, ...waiting]) s.destroy();
        server.close(() => resolve());
      }),
  };
}
