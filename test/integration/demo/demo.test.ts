import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHostPort } from '../../../infra/config/host-port.js';
import { DEMO_HOSTS } from '../../../infra/lab/demo-lab.js';
import { processAlive, processesUsing } from '../../../infra/local/data-dir-lock.js';
import { readStackFile, type StackFile } from '../../../infra/local/stack-file.js';
import { type CliProcess, errorLines, runCli } from '../support/cli-stack.js';
import { waitFor } from '../support/env.js';

/** Whether host:port can be bound again (nothing of the demo holds it). */
const free = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });

// `evpn-lens demo` as a user runs it: its own stack and real routers on 127.0.4.0/24, then Ctrl-C (SIGINT to the
// whole process group, as a terminal sends it).
describe('evpn-lens demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'evpn-lens-demo-'));
  let demo: CliProcess | undefined;
  afterAll(async () => {
    await demo?.stop('SIGKILL');
    for (const { pid } of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows hosts in both fabrics, a dual-homed host, a cross-DC move and a live mac-flap alert within 90 s; Ctrl-C leaves nothing running', async () => {
    const t0 = Date.now();
    demo = runCli(['demo', '--data-dir', dataDir, '--api-listen', '127.0.0.1:0'], { group: true });
    const d = demo;
    const info: StackFile = await waitFor(
      () => {
        if (d.child.exitCode !== null) throw new Error(`evpn-lens demo exited with ${d.child.exitCode}:\n${d.lines().join('\n')}`);
        const s = readStackFile(dataDir);
        return s?.pid === d.pid ? s : undefined;
      },
      'the demo stack',
      90_000,
      200,
    );
    const get = async (path: string) => (await fetch(`${info.api}${path}`)).json() as Promise<any>;

    const within90s = () => 90_000 - (Date.now() - t0);
    const fabrics = await waitFor(
      async () => {
        const hosts = (await get('/v1/vnis/10100/hosts?limit=500')).hosts as { locations: { fabric: string }[] }[];
        const seen = new Set(hosts.flatMap((h) => h.locations.map((l) => l.fabric)));
        return seen.has('dc1') && seen.has('dc2') ? seen : undefined;
      },
      'hosts in both fabrics',
      within90s(),
      500,
    );
    const flap = await waitFor(
      async () => ((await get('/v1/alerts?type=mac-flap&active=true')).alerts as { mac: string }[]).find((a) => a.mac === DEMO_HOSTS.flapper),
      'an active mac-flap alert',
      within90s(),
      500,
    );
    const moved = await waitFor(
      async () => {
        const h = await get(`/v1/hosts/${DEMO_HOSTS.mover}`);
        return (h.history ?? []).find((e: any) => e.kind === 'move' && e.from?.fabric !== e.to?.fabric);
      },
      'a move across data centers',
      within90s(),
      500,
    );
    const dual = await get(`/v1/hosts/${DEMO_HOSTS.dualHomed}`);

    expect(Date.now() - t0).toBeLessThan(90_000);
    expect([...fabrics].sort()).toEqual(['dc1', 'dc2']);
    expect(flap).toMatchObject({ type: 'mac-flap', fabric: 'dc1', clearedAt: null });
    expect(moved).toMatchObject({ from: { fabric: 'dc1' }, to: { fabric: 'dc2' } });
    expect(dual.locations).toEqual([expect.objectContaining({ fabric: 'dc1', vteps: ['10.41.0.11', '10.41.0.12'], esi: '00:00:de:00:00:00:00:00:00:01' })]);
    expect(d.lines().join('\n')).toMatch(new RegExp(`dashboard ${info.api}/[\\s\\S]*npx evpn-lens where ${DEMO_HOSTS.dualHomed}`));

    // Ctrl-C: the routers and the stack stop, nothing of the demo is left, and its ports are free again.
    const routers = (JSON.parse(readFileSync(join(dataDir, 'stack.lock'), 'utf8')) as { children: { pid: number; cmd: string }[] }).children;
    expect(routers.filter((p) => /^gobgpd /.test(p.cmd))).toHaveLength(6);
    expect(routers.filter((p) => /^\/usr\/lib\/frr\/bgpd /.test(p.cmd))).toHaveLength(1);
    const running = [...routers, ...processesUsing(dataDir)];
    expect(running.filter((p) => /kafka\.Kafka/.test(p.cmd))).toHaveLength(1);
    expect(running.every((p) => processAlive(p.pid))).toBe(true);
    const { code, ms } = await d.stop('SIGINT');

    expect(code).toBe(130);
    expect(ms).toBeLessThan(5_000);
    expect(errorLines(d.lines())).toEqual([]);
    expect(processesUsing(dataDir)).toEqual([]);
    expect(running.filter((p) => processAlive(p.pid))).toEqual([]);
    // The embedded store listens nowhere ("embedded"); a DynamoDB endpoint is a port to free.
    const storePorts = info.dynamodbEndpoint.startsWith('http://') ? [info.dynamodbEndpoint.replace('http://', '')] : [];
    const ports = [info.api.replace('http://', ''), info.bmp, ...info.kafkaBrokers, ...storePorts].map((a) => parseHostPort(a)!);
    for (const n of [1, 2, 11, 12, 13, 21, 22]) ports.push({ host: `127.0.4.${n}`, port: 10179 });
    for (const n of [1, 11, 12, 13, 21, 22]) ports.push({ host: `127.0.4.${n}`, port: 50051 });
    for (const p of ports) expect(await free(p.host, p.port), `${p.host}:${p.port}`).toBe(true);
  });
});
