/**
 * Targets that answer with garbage below gNMI: an HTTP/2 server whose gRPC response frames are broken (a message
 * flagged compressed with no grpc-encoding, then a length prefix longer than what follows), and a TCP server that
 * answers the HTTP/2 preface with bytes that are not HTTP/2 at all.
 */
import http2 from 'node:http2';
import net from 'node:net';

export interface GarbageTarget {
  address: string;
  stop(): Promise<void>;
}

export async function startBadFramesTarget(host = '127.0.0.1'): Promise<GarbageTarget> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(Buffer.from([0x01, 0x00, 0x00, 0x00, 0x03, 0xde, 0xad, 0xbe]));
    stream.end(Buffer.from([0x00, 0x7f, 0xff, 0xff, 0xff, 0x01]));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return { address: `${host}:${port}`, stop: () => new Promise((r) => server.close(() => r())) };
}

export async function startNotHttp2Target(host = '127.0.0.1'): Promise<GarbageTarget> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.once('data', () => s.write(Buffer.from('garbage garbage garbage\r\n\r\n'.repeat(8))));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `${host}:${port}`,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
