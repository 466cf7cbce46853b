/**
 * A real FRR bgpd (Debian's FRR 8.x) with the BMP module, without zebra, on a loopback address, for `evpn-lens demo`
 * and the integration tests. See shared/notes/router-peers.md: it needs `bgp allow-martian-nexthop` for 127/8 next hops, and as root it
 * drops to user frr, so its directory must be writable by frr.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './child-process.js';

export interface FrrOptions {
  hostname: string;
  address: string;
  routerId: string;
  asn: number;
  neighbors: { address: string; asn: number }[];
  bmp: { host: string; port: number };
}

export class FrrBgpd {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'frr-'));
  constructor(readonly o: FrrOptions) {
    chmodSync(this.dir, 0o777);
  }

  /** The bgpd process id while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  config(): string {
    const n = this.o.neighbors;
    return [
      `hostname ${this.o.hostname}`,
      'log stdout warnings',
      `router bgp ${this.o.asn}`,
      ` bgp router-id ${this.o.routerId}`,
      ' no bgp ebgp-requires-policy',
      ' no bgp default ipv4-unicast',
      ' bgp allow-martian-nexthop',
      ...n.flatMap((x) => [
        ` neighbor ${x.address} remote-as ${x.asn}`,
        ` neighbor ${x.address} port 10179`,
        ` neighbor ${x.address} update-source ${this.o.address}`,
        ` neighbor ${x.address} timers 3 9`,
        ` neighbor ${x.address} timers connect 1`,
      ]),
      ' address-family l2vpn evpn',
      // Without an Adj-RIB-In copy FRR's pre-policy BMP feed reports EVPN routes as withdrawn.
      ...n.flatMap((x) => [`  neighbor ${x.address} activate`, `  neighbor ${x.address} soft-reconfiguration inbound`]),
      ' exit-address-family',
      ' bmp targets collector',
      `  bmp connect ${this.o.bmp.host} port ${this.o.bmp.port} min-retry 500 max-retry 2000`,
      '  bmp monitor l2vpn evpn pre-policy',
      '  bmp monitor l2vpn evpn post-policy',
      ' exit',
      '',
    ].join('\n');
  }

  start(): void {
    const conf = join(this.dir, 'bgpd.conf');
    writeFileSync(conf, this.config());
    chmodSync(conf, 0o644);
    spawnSync('chown', ['-R', 'frr:frr', this.dir]);
    this.child = spawn(
      '/usr/lib/frr/bgpd',
      ['-f', conf, '-M', 'bmp', '-Z', '-p', '10179', '-l', this.o.address, '-i', join(this.dir, 'bgpd.pid'), '--vty_socket', this.dir, '-P', '0'],
      { stdio: 'ignore' },
    );
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
