/**
 * Real GoBGP speakers (Debian's gobgpd 3.x) on loopback addresses, for `evpn-lens demo` and the integration tests: each
 * on its own 127.x.y.z with its own BGP port and gRPC API port, exporting BMP (pre-policy, post-policy and Loc-RIB).
 * See shared/notes/router-peers.md.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { delay, untilAborted } from '../local/abortable.js';
import { stopChild } from './child-process.js';

const run = promisify(execFile);

export interface GobgpOptions {
  name: string;
  address: string; // 127.0.0.N
  routerId: string;
  asn: number;
  apiPort: number;
  /** Where the gRPC API listens (and the CLI connects); 127.0.0.1 by default. */
  apiHost?: string;
  bgpPort?: number;
  /** Directory for its configuration (created; removed by dispose); a temporary one by default. */
  dir?: string;
  neighbors?: { address: string; asn: number }[];
  bmp?: { host: string; port: number };
  /** GoBGP's route-monitoring-policy: all (pre-, post-policy and Loc-RIB, the default) or one of them. */
  bmpPolicy?: 'all' | 'pre-policy' | 'post-policy' | 'local-rib';
}

export class Gobgp {
  private child: ChildProcess | undefined;
  private readonly dir: string;
  constructor(readonly o: GobgpOptions) {
    this.dir = o.dir ?? mkdtempSync(join(tmpdir(), 'gobgp-'));
    mkdirSync(this.dir, { recursive: true });
  }

  /** The gobgpd process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  config(): string {
    const port = this.o.bgpPort ?? 10179;
    const lines = [
      '[global.config]',
      `  as = ${this.o.asn}`,
      `  router-id = "${this.o.routerId}"`,
      `  port = ${port}`,
      `  local-address-list = ["${this.o.address}"]`,
    ];
    for (const n of this.o.neighbors ?? []) {
      lines.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.asn}`);
      lines.push('  [neighbors.transport.config]', `    local-address = "${this.o.address}"`, `    remote-port = ${port}`);
      lines.push('  [neighbors.timers.config]', '    connect-retry = 1', '    hold-time = 9', '    keepalive-interval = 3');
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "l2vpn-evpn"');
    }
    if (this.o.bmp) {
      lines.push(
        '[[bmp-servers]]',
        '  [bmp-servers.config]',
        `    address = "${this.o.bmp.host}"`,
        `    port = ${this.o.bmp.port}`,
        `    route-monitoring-policy = "${this.o.bmpPolicy ?? 'all'}"`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  /** `signal` cancels the wait for its API (StartAbortedError); the process is left for stop() or dispose(). */
  async start(signal?: AbortSignal): Promise<void> {
    const file = join(this.dir, `${this.o.name}.toml`);
    writeFileSync(file, this.config());
    this.child = spawn('gobgpd', ['-f', file, '--api-hosts', `${this.o.apiHost ?? '127.0.0.1'}:${this.o.apiPort}`, '-l', 'warn', '--pprof-disable'], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await untilAborted(this.cli(['global']), signal, `starting gobgpd ${this.o.name}`);
        return;
      } catch (err) {
        if (signal?.aborted) throw err;
        if (Date.now() > deadline) throw new Error(`gobgpd ${this.o.name} did not start`, { cause: err });
        await delay(200, signal);
      }
    }
  }

  async cli(args: string[]): Promise<string> {
    const { stdout } = await run('gobgp', ['-u', this.o.apiHost ?? '127.0.0.1', '-p', String(this.o.apiPort), ...args], { timeout: 10_000 });
    return stdout;
  }

  /** `gobgp global rib -a evpn add|del ...` */
  evpn(op: 'add' | 'del', args: string[]): Promise<string> {
    return this.cli(['global', 'rib', '-a', 'evpn', op, ...args]);
  }

  async waitEstablished(neighbor: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = await untilAborted(
        this.cli(['neighbor', neighbor]).catch(() => ''),
        signal,
        `waiting for ${this.o.name}'s session with ${neighbor}`,
      );
      if (/BGP state\s*=\s*ESTABLISHED/i.test(out)) return;
      if (Date.now() > deadline) throw new Error(`${this.o.name}: neighbor ${neighbor} not established: ${out.slice(0, 300)}`);
      await delay(500, signal);
    }
  }

  /** Kills the process at once (SIGKILL: no BGP NOTIFICATION, no BMP Termination), as a crash or power loss would. */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    await stopChild(c);
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
