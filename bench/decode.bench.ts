/** EVPN type-2 routes decoded per second on one core: framing + BMP + UPDATE + EVPN NLRI, no I/O. */
import { BmpFrameDecoder, decodeBgpUpdate, decodeBmpMessage } from '../collector/bmp/index.js';
import { generateType2Stream } from './generate-stream.js';

const ROUTES = Number(process.env.BENCH_ROUTES ?? 1_000_000);
const opts = { fourOctetAs: true, addPath: new Set<string>() };

function run(stream: Buffer, chunk: number): { routes: number; ms: number } {
  const started = process.hrtime.bigint();
  const framer = new BmpFrameDecoder();
  let routes = 0;
  for (let off = 0; off < stream.length; off += chunk) {
    for (const m of framer.push(stream.subarray(off, off + chunk))) {
      const msg = decodeBmpMessage(m);
      if (msg.kind === 'route-monitoring') routes += decodeBgpUpdate(msg.bgp, opts, msg.bgpOffset).advertised.length;
    }
  }
  return { routes, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

for (const perUpdate of [1, 10, 40]) {
  const { stream } = generateType2Stream({ routes: ROUTES, perUpdate });
  run(stream.subarray(0, Math.min(stream.length, 4 << 20)), 65536); // warm-up
  const best = [run(stream, 65536), run(stream, 65536)].sort((a, b) => a.ms - b.ms)[0]!;
  console.log(
    `decode: ${best.routes.toLocaleString()} type-2 routes, ${perUpdate} per UPDATE, ${(stream.length / 1e6).toFixed(1)} MB: ` +
      `${Math.round(best.routes / (best.ms / 1000)).toLocaleString()} routes/s, ${(stream.length / 1e6 / (best.ms / 1000)).toFixed(0)} MB/s (one core)`,
  );
}
