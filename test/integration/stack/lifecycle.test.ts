import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHostPort } from '../../../infra/config/host-port.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { processAlive, processesUsing } from '../../../infra/local/data-dir-lock.js';
import { freePort } from '../../../infra/local/free-port.js';
import { readStackFile } from '../../../infra/local/stack-file.js';
import { type CliProcess, cleanEnv, cli, errorLines, runCli, startCli } from '../support/cli-stack.js';
import { waitFor } from '../support/env.js';

// `evpn-lens start` as a process: shutdown within 5 s with no error line (also with a router's session just closed,
// withdrawals in flight and a resync timer armed), one stack per data dir, a killed stack's lock taken over.
// Routers here use 127.0.4.200/24 (this suite's loopback range is 127.0.4.0/24).
describe('evpn-lens start lifecycle', () => {
  const dirs: string[] = [];
  const procs: CliProcess[] = [];
  const routers: Gobgp[] = [];
  const tempDir = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `evpn-lens-${name}-`));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const r of routers) await r.dispose();
    for (const p of procs) await p.stop('SIGKILL');
    for (const d of dirs) {
      for (const { pid } of processesUsing(d)) process.kill(pid, 'SIGKILL');
      rmSync(d, { recursive: true, force: true });
    }
  });

  const where = (api: string, mac: string) =>
    spawnSync(process.execPath, [cli, 'where', mac, '--json', '--api', api], { encoding: 'utf8', env: cleanEnv(), timeout: 30_000 });
  const hostIndexed = (api: string, mac: string) => waitFor(() => (where(api, mac).status === 0 ? true : undefined), `${mac} indexed`, 60_000, 250);
  const count = (p: CliProcess, msg: string) => p.lines().filter((l) => l.includes(`"msg":"${msg}"`)).length;

  it('refuses a second stack on the same data dir, and stops within 5 s right after a BMP session closed', async () => {
    const dir = tempDir('lifecycle');
    const cfg = join(dir, 'evpn-lens.yaml');
    writeFileSync(
      cfg,
      ['collector:', '  bmp:', '    resyncQuietSeconds: 5', 'fabrics:', '  - name: lab', '    match: { routerIds: ["10.4.200.1"] }', ''].join('\n'),
    );
    // Its own process group, signalled as a whole, as a terminal or `timeout` does: the broker must not go first.
    const stack = await startCli(join(dir, 'data'), { args: ['--config', cfg], group: true });
    procs.push(stack);

    // A second stack on the same data dir: refused at once, naming the first one's PID.
    const t0 = Date.now();
    const second = spawnSync(process.execPath, [cli, 'start', '--data-dir', join(dir, 'data'), '--api-listen', '127.0.0.1:0', '--bmp-listen', '127.0.0.1:0'], {
      encoding: 'utf8',
      env: cleanEnv(),
      timeout: 30_000,
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(second.status).not.toBe(0);
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringContaining(`in use by another evpn-lens stack (PID ${stack.pid})`)]);
    expect(processAlive(stack.pid)).toBe(true);

    // A real GoBGP speaker exports its Loc-RIB over BMP; it goes away and comes back (the collector resyncs: stale
    // routes wait for the 5 s quiet timer), then withdraws a route and goes away again.
    const bmp = parseHostPort(stack.info.bmp)!;
    const r = new Gobgp({ name: 'lc', address: '127.0.4.200', routerId: '10.4.200.1', asn: 65200, apiPort: await freePort(), bmp });
    routers.push(r);
    const adv = (mac: string, op: 'add' | 'del' = 'add') =>
      r.evpn(op, [
        'macadv',
        mac,
        '0.0.0.0',
        'etag',
        '0',
        'label',
        '10200',
        'rd',
        '10.4.200.1:200',
        'rt',
        '65200:10200',
        'encap',
        'vxlan',
        'nexthop',
        '10.4.200.1',
      ]);
    await r.start();
    await adv('02:c4:00:00:00:01');
    await adv('02:c4:00:00:00:02');
    await hostIndexed(stack.info.api, '02:c4:00:00:00:02');
    await r.stop();
    await waitFor(() => (count(stack, 'BMP session down') >= 1 ? true : undefined), 'first session down');
    await r.start();
    await adv('02:c4:00:00:00:01');
    await adv('02:c4:00:00:00:03');
    await hostIndexed(stack.info.api, '02:c4:00:00:00:03'); // the second session's routes are in; 02 is stale, its timer armed
    await adv('02:c4:00:00:00:01', 'del');
    await r.stop();
    await waitFor(() => (count(stack, 'BMP session down') >= 2 ? true : undefined), 'second session down', 10_000, 20);

    const { code, ms } = await stack.stop('SIGTERM');

    expect(ms).toBeLessThan(5_000);
    expect(code).toBe(143);
    expect(errorLines(stack.lines())).toEqual([]);
    expect(stack.lines().at(-1)).toContain('"msg":"stopped"');
    expect(existsSync(join(dir, 'data', 'stack.lock'))).toBe(false);
    expect(processesUsing(dir)).toEqual([]);
  });

  it('takes over the lock of a killed stack (stopping the broker it left), then stops on SIGTERM in under 5 s with no error line', async () => {
    const dir = tempDir('stale');
    const killed = await startCli(dir);
    procs.push(killed);
    const orphans = processesUsing(dir);
    expect(orphans).toEqual([expect.objectContaining({ cmd: expect.stringContaining('kafka.Kafka') })]);
    await killed.stop('SIGKILL');
    expect(processAlive(orphans[0]!.pid)).toBe(true); // a killed stack cannot stop its broker

    const next = await startCli(dir);
    procs.push(next);

    expect(next.lines().join('\n')).toContain(`from a stack that is no longer running (PID ${killed.pid})`);
    expect(processAlive(orphans[0]!.pid)).toBe(false);
    const { code, ms } = await next.stop('SIGTERM');
    expect(ms).toBeLessThan(5_000);
    expect(code).toBe(143);
    expect(errorLines(next.lines())).toEqual([]);
    expect(processesUsing(dir)).toEqual([]);
  });

  const portFree = (host: string, port: number) =>
    new Promise<boolean>((r) => {
      const srv = createServer();
      srv.once('error', () => r(false));
      srv.listen(port, host, () => srv.close(() => r(true)));
    });

  // A Ctrl-C at several moments of start-up: whatever has started stops, and the process exits, within 5 s.
  it.each([
    ['early (the data dir locked, the stack loading)', '"msg":"starting"'],
    ['mid broker start', '"msg":"starting Kafka broker on'],
    ['after the stack is ready', 'stack.json'],
  ])('exits with 130 within 5 s of SIGINT sent %s, leaving no process and no bound port', async (_when, marker) => {
    const dir = tempDir('sigint');
    const p = runCli(['start', '--data-dir', dir, '--api-listen', '127.0.0.1:0', '--bmp-listen', '127.0.0.1:0', '--log-format', 'json'], { group: true });
    procs.push(p);
    await waitFor(
      () => {
        if (p.child.exitCode !== null) throw new Error(`evpn-lens start exited with ${p.child.exitCode}:\n${p.lines().join('\n')}`);
        if (marker === 'stack.json') return readStackFile(dir)?.pid === p.pid || undefined;
        return p.lines().some((l) => l.includes(marker)) || undefined;
      },
      marker,
      120_000,
      20,
    );
    const kafka = /starting Kafka broker on ([\d.]+):(\d+)/.exec(p.lines().join('\n'));

    const { code, ms } = await p.stop('SIGINT');

    expect(ms).toBeLessThan(5_000);
    expect(code).toBe(130);
    expect(errorLines(p.lines())).toEqual([]);
    expect(processesUsing(dir)).toEqual([]);
    expect(() => process.kill(-p.pid, 0)).toThrow(); // the whole process group is gone
    if (kafka) expect(await portFree(kafka[1]!, Number(kafka[2]))).toBe(true);
    expect(existsSync(join(dir, 'stack.lock'))).toBe(false);
  });
});
