import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../infra/local/free-port.js';
import { waitFor } from '../support/env.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'bin/evpn-lens.mjs');
const fixture = join(root, 'test/fixtures/captures/gobgp-evpn-types-1-5.pcap');

// `evpn-lens start` exactly as `npm start` runs it: its own Kafka broker and dynalite (nothing from the test run),
// persisted under a data folder, so that a restart keeps the index.
describe('evpn-lens start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evpn-lens-start-'));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(api: number, bmp: number): Promise<ChildProcess> {
    const env = { ...process.env };
    delete env.KAFKA_BROKERS;
    delete env.DYNAMODB_ENDPOINT;
    const c = spawn(
      process.execPath,
      [cli, 'start', '--data-dir', dataDir, '--api-listen', `127.0.0.1:${api}`, '--bmp-listen', `127.0.0.1:${bmp}`, '--log-level', 'warn'],
      { env, stdio: 'ignore' },
    );
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${api}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined),
      '/readyz 200',
      90_000,
      250,
    );
    return c;
  }

  async function stop(c: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
    c.kill('SIGTERM');
    return exited;
  }

  it('comes up to /readyz 200, indexes a replayed BMP capture, stops cleanly and keeps the index across a restart', async () => {
    const [api, bmp] = [await freePort(), await freePort()];
    child = await start(api, bmp);

    const replay = spawnSync(process.execPath, [cli, 'replay', fixture, '--to', `127.0.0.1:${bmp}`], { encoding: 'utf8' });
    expect(replay.stdout).toContain('replayed 1 session(s)');
    const where = async () =>
      spawnSync(process.execPath, [cli, 'where', 'aa:bb:cc:dd:ee:01', '--json', '--api', `http://127.0.0.1:${api}`], { encoding: 'utf8' });
    const found = await waitFor(
      async () => {
        const r = await where();
        return r.status === 0 ? JSON.parse(r.stdout) : undefined;
      },
      'host indexed',
      60_000,
      500,
    );
    expect(found.locations).toEqual([expect.objectContaining({ vni: 10100, vtep: '10.0.0.1', ips: ['10.1.1.1'], esi: '00:01:02:03:04:05:06:07:08:09' })]);

    expect(await stop(child)).toBe(143); // 128 + SIGTERM: the CLI exits as a stopped-by-signal process does
    child = await start(api, bmp);
    const again = await where();
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).locations).toHaveLength(1);
    expect(await stop(child)).toBe(143); // 128 + SIGTERM: the CLI exits as a stopped-by-signal process does
    child = undefined;
  });
});
