/**
 * Simulated gNMI targets for bench/gnmi.bench.ts, in their own process so that the collector's CPU is measured alone:
 * one grpc-js server; every Subscribe (any prefix target) gets the target's COUNTERS OpenConfig VTEP peer counters
 * (10 per peer: 9 counters and peer-state) at once, sync_response, then all of them again every INTERVAL_MS, starting
 * at a random phase. "pause" on stdin stops the periodic rounds (prints "PAUSED"), so that a burst is measured alone;
 * "burst N" makes every open stream send N rounds back to back. Prints "READY <port>".
 */
import { createInterface } from 'node:readline';
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import Long from 'long';
import { parsePath } from '../collector/gnmi/path.js';
import { GNMI_METHODS, type INotification, SubscribeRequest, SubscribeResponse } from '../schemas/gnmi.js';

const COUNTERS = Number(process.env.COUNTERS ?? 50);
const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 10_000);
const NAMES = [
  'total-encap-pkts',
  'total-encap-bytes',
  'bum-encap-pkts',
  'total-decap-pkts',
  'total-decap-bytes',
  'unicast-decap-pkts',
  'bum-decap-pkts',
  'drop-decap-pkts',
  'except-decap-pkts',
];
const P =
  'openconfig:/network-instances/network-instance[name=default]/connection-points/connection-point[connection-point-id=vxlan]/endpoints/endpoint[endpoint-id=nve1]/vxlan/endpoint-peers';
const peers = Math.ceil(COUNTERS / 10);
const leafPaths = [...NAMES.map((n) => parsePath(`counters/${n}`).elem), parsePath('peer-state').elem];
const prefixes = Array.from({ length: peers }, (_, i) => parsePath(`${P}/endpoint-peer[peer-address=10.255.${i >> 8}.${i & 255}]/state`));

interface Stream {
  call: ServerDuplexStream<Buffer, Buffer>;
  target: string;
  round: number;
  timer?: NodeJS.Timeout;
  phase?: NodeJS.Timeout;
}
let paused = false;
const streams = new Set<Stream>();

/** One round: a notification per peer, its counters grown by the round number, until COUNTERS leaves are sent. */
function sendRound(s: Stream): void {
  s.round++;
  const ts = Long.fromString(String(BigInt(Date.now()) * 1_000_000n));
  let left = COUNTERS;
  for (let p = 0; p < peers && left > 0; p++) {
    const n: INotification = {
      timestamp: ts,
      prefix: { ...prefixes[p]!, target: s.target },
      update: leafPaths.slice(0, Math.min(10, left)).map((elem, i) => ({
        path: { elem },
        val: i === 9 ? { stringVal: 'UP' } : { uintVal: Long.fromNumber(s.round * 1000 + i, true) },
      })),
    };
    left -= n.update!.length;
    s.call.write(Buffer.from(SubscribeResponse.encode({ update: n }).finish()));
  }
}

const server = new Server();
const raw = (b: Buffer) => b;
server.register<Buffer, Buffer>(
  GNMI_METHODS.subscribe,
  ((call: ServerDuplexStream<Buffer, Buffer>) => {
    call.once('data', (b: Buffer) => {
      const req = SubscribeRequest.decode(b);
      const s: Stream = { call, target: req.subscribe?.prefix?.target ?? 'sim', round: 0 };
      streams.add(s);
      sendRound(s);
      call.write(Buffer.from(SubscribeResponse.encode({ syncResponse: true }).finish()));
      s.phase = setTimeout(() => {
        if (!paused) s.timer = setInterval(() => sendRound(s), INTERVAL_MS);
      }, Math.random() * INTERVAL_MS);
    });
    const end = () => {
      for (const s of streams)
        if (s.call === call) {
          clearInterval(s.timer);
          clearTimeout(s.phase);
          streams.delete(s);
        }
    };
    call.on('cancelled', end);
    call.on('error', end);
  }) as never,
  raw,
  raw,
  'bidi',
);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(`READY ${port}`);
});

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'pause') {
    paused = true;
    for (const s of streams) {
      clearInterval(s.timer);
      clearTimeout(s.phase);
    }
    console.log('PAUSED');
    return;
  }
  const m = /^burst (\d+)$/.exec(line.trim());
  if (!m) return;
  for (let r = 0; r < Number(m[1]); r++) for (const s of streams) sendRound(s);
  console.log(`BURST SENT ${Number(m[1]) * streams.size * COUNTERS}`);
});
process.stdin.on('end', () => process.exit(0));
