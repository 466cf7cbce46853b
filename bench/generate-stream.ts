/** A generated BMP stream of type-2 routes, as a router dumping its EVPN table would send it. */
import { bmpMsg, type Type2, type2Update } from '../test/fixtures/bmp/builders.js';

export function macOf(i: number): string {
  const h = (i + 0x020000000000).toString(16).padStart(12, '0');
  return h.match(/../g)!.join(':');
}

export function generateType2Stream(o: { routes: number; perUpdate: number; peers?: number }): { stream: Buffer; messages: number } {
  const parts: Buffer[] = [bmpMsg.initiation({ sysName: 'bench-rr1' })];
  const peers = o.peers ?? 4;
  for (let p = 0; p < peers; p++) parts.push(bmpMsg.peerUp({ peer: { address: `10.255.0.${p + 1}`, bgpId: `10.255.0.${p + 1}`, asn: 65000 } }));
  let messages = parts.length;
  for (let i = 0; i < o.routes; i += o.perUpdate) {
    const routes: Type2[] = [];
    for (let j = i; j < Math.min(o.routes, i + o.perUpdate); j++) {
      routes.push({
        rd: `10.0.${(j >> 8) & 0xff}.${j & 0xff}:${100 + (j % 50)}`,
        mac: macOf(j),
        ip: `10.${(j >> 16) & 0xff}.${(j >> 8) & 0xff}.${j & 0xff}`,
        label1: 10000 + (j % 50),
      });
    }
    const p = (i / o.perUpdate) % peers;
    parts.push(
      bmpMsg.routeMonitoring({
        peer: { address: `10.255.0.${p + 1}`, bgpId: `10.255.0.${p + 1}`, asn: 65000, flags: 0x40 },
        update: type2Update({ nextHop: `10.0.0.${(i % 200) + 1}`, routes, seq: i % 3 === 0 ? 1 : undefined }),
      }),
    );
    messages++;
  }
  return { stream: Buffer.concat(parts), messages };
}
