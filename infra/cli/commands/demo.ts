/**
 * `evpn-lens demo`: the local stack plus a small real lab (Debian's gobgpd and FRR on 127.0.4.0/24, infra/lab/demo-lab.ts):
 * two fabrics with hosts, a dual-homed host, a host moving between the data centers and a flapping MAC. Ctrl-C stops
 * the routers, then the stack.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseConfig } from '../../config/load-config.js';
import { DEMO_FABRICS, DEMO_HOSTS, startDemoLab } from '../../lab/demo-lab.js';
import { LocalRuntimeError, PrerequisiteError } from '../../local/errors.js';
import { createLogger } from '../../local/logger.js';
import { connectAddress } from '../../local/stack-file.js';
import { runStack } from '../run-stack.js';
import { logFormatOf } from './start.js';

/** The demo's own data dir: its index never mixes with the one `npm start` keeps in ./.data. */
export const DEMO_DATA_DIR = join('.data', 'demo');

const ROUTER_BINARIES = [
  { what: 'gobgpd', path: undefined },
  { what: 'gobgp', path: undefined },
  { what: 'FRR bgpd', path: '/usr/lib/frr/bgpd' },
];

function assertRouters(): void {
  const onPath = (cmd: string) =>
    (process.env.PATH ?? '').split(delimiter).some((d) => {
      try {
        accessSync(join(d, cmd), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  const missing = ROUTER_BINARIES.filter((b) => {
    if (!b.path) return !onPath(b.what);
    try {
      accessSync(b.path, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new PrerequisiteError(
      `the demo runs Debian's routers, and ${missing.map((b) => b.what).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing: ` +
        '`npm run demo` installs them, or run `apt-get install -y gobgpd frr`',
    );
  }
}

interface DemoOptions {
  dataDir: string;
  apiListen: string;
  flapEvery: string;
  moveEvery: string;
  logLevel: string;
  logFormat?: string;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('the local stack plus a small lab of real routers (GoBGP, FRR) on 127.0.4.0/24: two fabrics, a dual-homed host, a moving host, a flapping MAC')
    .option('--data-dir <dir>', 'where the demo keeps its data', DEMO_DATA_DIR)
    .option('--api-listen <host:port>', 'API and dashboard address', '127.0.0.1:8080')
    .option('--flap-every <seconds>', 'how often the flapping MAC moves', '3')
    .option('--move-every <seconds>', 'how often the moving host changes data center', '60')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace', 'info')
    .option('--log-format <format>', 'pretty | json; default: pretty on a terminal, JSON lines when not')
    .action(async (o: DemoOptions) => {
      assertRouters();
      if (process.getuid?.() !== 0) {
        // FRR's bgpd drops to user frr and reads its files as that user; GoBGP needs nothing special.
        process.stderr.write('evpn-lens demo: not running as root: FRR may not start (it runs as user frr); GoBGP will\n');
      }
      const config = parseConfig({
        dataDir: o.dataDir,
        logLevel: o.logLevel,
        fabrics: DEMO_FABRICS,
        // The routers are configured by the demo, so the BMP station can take any free port.
        collector: { bmp: { listen: '127.0.0.1:0', resyncQuietSeconds: 5 } },
        api: { listen: o.apiListen },
        eventSource: { batchingWindowMs: 50 },
      });
      const logger = createLogger(config.logLevel, { format: logFormatOf(o.logFormat ?? process.env.EVPN_LENS_LOG_FORMAT) });
      const say = (line: string) => process.stdout.write(`${line}\n`);
      process.exitCode = await runStack({
        config,
        logger,
        onUp: async (stack, signal) => {
          say(`evpn-lens demo: stack up (dashboard ${stack.apiUrl}/), starting the routers...`);
          const lab = await startDemoLab({
            dir: resolve(config.dataDir, 'lab'),
            bmp: { host: stack.collector.address.host, port: stack.collector.address.port },
            flapEverySeconds: positive(o.flapEvery, '--flap-every'),
            moveEverySeconds: positive(o.moveEvery, '--move-every'),
            log: (line) => logger.info(line),
            signal,
          });
          const api = resolve(config.dataDir) === resolve(DEMO_DATA_DIR) ? '' : ` --api ${stack.apiUrl}`;
          say(
            [
              '',
              `evpn-lens demo is running: dashboard ${stack.apiUrl}/  (BMP station ${connectAddress(stack.collector.address)})`,
              '  dc1: GoBGP exporter 127.0.4.1 with leaves 127.0.4.11-13; dc2: FRR exporter 127.0.4.2 with leaves 127.0.4.21-22',
              '  hosts appear within a minute; try:',
              `    npx evpn-lens where ${DEMO_HOSTS.dualHomed}${api}   # dual-homed: one Ethernet segment on two VTEPs`,
              `    npx evpn-lens where ${DEMO_HOSTS.mover}${api}   # moves between dc1 and dc2 every ${o.moveEvery} s`,
              `    npx evpn-lens where ${DEMO_HOSTS.flapper}${api}   # flapping; npx evpn-lens alerts --active${api}`,
              '  Ctrl-C stops the routers and the stack.',
              '',
            ].join('\n'),
          );
          return lab;
        },
      });
    });
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new LocalRuntimeError(`${flag}: expected a number of seconds, got "${value}"`);
  return n;
}
