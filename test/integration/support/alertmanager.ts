/**
 * Debian's prometheus-alertmanager on a loopback address for one test file: no gossip (--cluster.listen-address=
 * empty), a named receiver that sends nothing, its own storage directory. Alerts in: POST /api/v2/alerts; out:
 * GET /api/v2/alerts (active ones only).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from '../../../infra/lab/child-process.js';
import { freePort } from '../../../infra/local/free-port.js';
import { waitFor } from './env.js';

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export class Alertmanager {
  url = '';
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
  private log = '';

  constructor(private readonly host = '127.0.8.1') {}

  async start(): Promise<void> {
    const port = await freePort(this.host);
    const config = join(this.dir, 'alertmanager.yml');
    writeFileSync(config, 'route:\n  receiver: evpn-lens-test\nreceivers:\n  - name: evpn-lens-test\n');
    this.child = spawn(
      'prometheus-alertmanager',
      [
        `--config.file=${config}`,
        `--storage.path=${join(this.dir, 'data')}`,
        `--web.listen-address=${this.host}:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    const exited = new Promise<never>((_r, reject) =>
      this.child!.once('exit', (code) => reject(new Error(`prometheus-alertmanager exited (${code}): ${this.log.slice(-2000)}`))),
    );
    exited.catch(() => undefined);
    this.url = `http://${this.host}:${port}`;
    await Promise.race([
      exited,
      waitFor(async () => ((await fetch(`${this.url}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 'alertmanager ready', 20_000),
    ]);
  }

  /** Active alerts (GET /api/v2/alerts leaves out resolved ones). */
  async alerts(): Promise<AmAlert[]> {
    const res = await fetch(`${this.url}/api/v2/alerts`);
    if (!res.ok) throw new Error(`alertmanager answered ${res.status}`);
    return (await res.json()) as AmAlert[];
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
