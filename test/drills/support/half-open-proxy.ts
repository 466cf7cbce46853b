/**
 * A TCP relay between a router and the BMP station that can leave the station's side half-open: when the router's
 * side closes (the router was killed), the station's side stays open and silent, as after a reboot whose FIN never
 * came. The station's side connects from the router's own address, so the station sees the router, not the relay.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface HalfOpenProxy {
  port: number;
  /** Station-side sockets left open after their router side closed. */
  halfOpen(): number;
  close(): Promise<void>;
}

export async function startHalfOpenProxy(o: { listenHost: string; station: { host: string; port: number }; sourceAddress: string }): Promise<HalfOpenProxy> {
  const upstreams = new Set<Socket>();
  let left = 0;
  const server: Server = createServer((router) => {
    const up = connect({ host: o.station.host, port: o.station.port, localAddress: o.sourceAddress });
    upstreams.add(up);
    router.pipe(up, { end: false }); // the router's FIN is not passed on: half-open
    up.on('data', (d) => router.write(d));
    up.on('error', () => undefined);
    up.on('close', () => {
      upstreams.delete(up);
      router.destroy();
    });
    router.on('error', () => undefined);
    router.on('close', () => {
      if (!up.destroyed) left++;
    });
  });
  await new Promise<void>((r) => server.listen(0, o.listenHost, () => r()));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    halfOpen: () => left,
    close: () =>
      new Promise<void>((r) => {
        for (const u of upstreams) u.destroy();
        server.close(() => r());
      }),
  };
}
