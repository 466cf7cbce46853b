/**
 * The gnmic input without I/O, on one core: gnmic `event` records (each a JSON array of EventMsg, one per update, as
 * pkg/formatters/event.go makes them; shaped like test/fixtures/gnmic/srl-event.json) of SR Linux per-VTEP statistics
 * decoded, normalized by the built-in rules and encoded as VtepSamples. Reports records and samples per CPU-second
 * (process.cpuUsage) beside wall-clock ones, so a loaded machine does not hide the figure.
 */
import { pino } from 'pino';
import { sequence } from '../collector/gnmi/gnmi-collector.js';
import { GnmicNormalizer } from '../collector/gnmi/gnmic/gnmic-input.js';
import { BUILTIN_RULES } from '../collector/gnmi/normalize/builtin-rules.js';
import { RuleTable } from '../collector/gnmi/normalize/rule-table.js';

const RECORDS = Number(process.env.BENCH_GNMIC_RECORDS ?? 20_000);
const DEVICES = 50;
const PEERS = 20;
const LEAVES = ['in-octets', 'in-packets', 'in-discarded-packets', 'out-octets', 'out-packets'];
const VTEP = '/srl_nokia-tunnel:tunnel/srl_nokia-vxlan-tunnel-vtep:vxlan-tunnel/vtep/statistics';

function record(i: number): Buffer {
  const device = `leaf${i % DEVICES}:57400`;
  const ts = (1_733_560_000_000_000_000n + BigInt(i) * 1_000_000n).toString();
  const events = [];
  for (let p = 0; p < 2; p++) {
    const peer = `10.0.${(i + p) % PEERS}.1`;
    for (const leaf of LEAVES)
      events.push(
        `{"name":"vxlan","timestamp":${ts},"tags":{"source":"${device}","subscription-name":"vxlan","vtep_address":"${peer}"},"values":{"${VTEP}/${leaf}":"${18_000_000_000_000_000_000n + BigInt(i)}"}}`,
      );
  }
  return Buffer.from(`[${events.join(',')}]`);
}

const records = Array.from({ length: RECORDS }, (_, i) => record(i));
const n = new GnmicNormalizer({
  format: 'event',
  fabric: 'f1',
  devices: {},
  listedOnly: false,
  refreshMs: { '*': 10_000 },
  publishUnmapped: false,
  table: new RuleTable(BUILTIN_RULES),
  collectorId: 'bench',
  nextSeq: sequence(),
  logger: pino({ level: 'silent' }),
});
for (let i = 0; i < 2_000; i++) n.record(records[i % records.length]!); // warm-up
const before = { ...n.stats };
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let bytes = 0;
for (const r of records) for (const s of n.record(r)) bytes += s.bytes.length;
const wallS = (performance.now() - t0) / 1000;
const c = process.cpuUsage(cpu0);
const cpuS = (c.user + c.system) / 1e6;
const samples = n.stats.samples - before.samples;
console.log(
  `gnmic event records (10 EventMsg each) → VtepSamples: ${RECORDS} records, ${samples} samples (${Math.round(bytes / samples)} bytes each) in ${wallS.toFixed(2)} s wall, ${cpuS.toFixed(2)} CPU-s`,
);
console.log(
  `  ${Math.round(RECORDS / cpuS)} records/CPU-s (${Math.round(RECORDS / wallS)}/s wall), ${Math.round(samples / cpuS)} samples/CPU-s (${Math.round(samples / wallS)}/s wall); skipped ${n.stats.skipped}`,
);
if (n.stats.skipped > 0 || samples !== RECORDS * 10) {
  console.error('unexpected: every event should give one sample');
  process.exit(1);
}
