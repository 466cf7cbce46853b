import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTopicSpecs } from '../../../infra/local/local-retention.js';
import { ALL_TOPICS, TOPICS } from '../../../schemas/topics.js';
import { type CliProcess, cleanEnv, cli, startCli } from '../support/cli-stack.js';
import { waitFor } from '../support/env.js';

const fixture = join(import.meta.dirname, '../../fixtures/captures/gobgp-evpn-types-1-5.pcap');
const MAC = 'aa:bb:cc:dd:ee:01';

// A user's session: `evpn-lens start` in a folder (random ports), then the client commands with no broker, API or BMP
// flags, from that folder (./.data/stack.json), from elsewhere with --config, and with nothing to find.
describe('the CLI finds the local stack', () => {
  const home = mkdtempSync(join(tmpdir(), 'evpn-lens-home-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'evpn-lens-elsewhere-'));
  const dataDir = join(home, '.data');
  let stack: CliProcess & { info: { api: string; bmp: string; kafkaBrokers: string[] } };
  const run = (args: string[], cwd = home, env = cleanEnv()) => spawnSync(process.execPath, [cli, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    mkdirSync(dataDir);
    // A workstation retention of its own, checked on the embedded broker below.
    writeFileSync(join(home, 'evpn-lens.yaml'), ['kafka:', '  localRetention:', '    hours: 48', `    maxBytes: ${600 * 1024 * 1024}`, ''].join('\n'));
    stack = await startCli(dataDir, { cwd: home, args: ['--config', join(home, 'evpn-lens.yaml')] });
  });
  afterAll(async () => {
    await stack?.stop('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('writes the endpoints it bound to <dataDir>/stack.json', () => {
    expect(stack.info).toMatchObject({ pid: stack.pid, dataDir, api: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(stack.info.bmp).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(stack.info.kafkaBrokers).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
  });

  it("gives the embedded broker's topics the configured workstation retention", async () => {
    const admin = new Kafka({ clientId: 'retention-check', brokers: stack.info.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: TOPICS.routes, configNames: ['retention.ms', 'retention.bytes'] }],
    });
    await admin.disconnect();

    const value = (name: string) => resources[0]?.configEntries.find((e) => e.configName === name)?.configValue;
    expect(value('retention.ms')).toBe(String(48 * 3_600_000));
    // The route topic's share of the 600 MiB cap (local-retention.ts), more than an equal share per topic.
    const routes = localTopicSpecs(ALL_TOPICS, 600 * 1024 * 1024, 12).find((t) => t.name === TOPICS.routes)!;
    expect(value('retention.bytes')).toBe(String(routes.retentionBytes));
    expect(Number(value('retention.bytes'))).toBeGreaterThan((600 * 1024 * 1024) / (ALL_TOPICS.length * 12));
  });

  it('replays, then tails and finds the host with no broker, API or BMP flags', async () => {
    const replay = run(['replay', fixture]);
    expect(replay.stdout).toBe(`replayed 1 session(s), 878 bytes, to ${stack.info.bmp}\n`);

    const host = await waitFor(
      () => {
        const r = run(['where', MAC, '--json']);
        return r.status === 0 ? JSON.parse(r.stdout) : undefined;
      },
      'the replayed host in the index',
      60_000,
      500,
    );
    expect(host.locations).toEqual([expect.objectContaining({ vni: 10100, vtep: '10.0.0.1', ips: ['10.1.1.1'] })]);
    const table = run(['where', MAC]);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${MAC}\\s+default\\s+10100\\s+10\\.0\\.0\\.1`, 'm'));

    const tail = run(['tail', 'evpn.routes.v1', '--from-beginning', '--timeout', '10']);
    const events = tail.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(events).toContainEqual(expect.objectContaining({ mac: MAC, action: 'ROUTE_ACTION_ADVERTISE', vni: 10100 }));
    expect(events.length).toBeGreaterThanOrEqual(5);

    expect(run(['hosts', '--vni', '10100']).stdout).toContain(MAC);
    const alerts = run(['alerts']);
    expect(alerts.status, alerts.stderr).toBe(0);
  });

  it("finds it from another folder through --config's data dir", () => {
    const cfg = join(elsewhere, 'evpn-lens.yaml');
    writeFileSync(cfg, `dataDir: ${dataDir}\n`);

    const r = run(['where', MAC, '--json', '--config', cfg], elsewhere);

    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).mac).toBe(MAC);
  });

  it('prefers the flag to the environment, and the environment to stack.json', () => {
    const env = cleanEnv({ EVPN_LENS_API: 'http://127.0.0.1:9' });

    const fromEnv = run(['where', MAC], home, env);
    const fromFlag = run(['where', MAC, '--api', stack.info.api], home, env);

    expect(fromEnv.status).not.toBe(0);
    expect(fromEnv.stderr).toContain('cannot reach the API at http://127.0.0.1:9');
    expect(fromFlag.status).toBe(0);
  });

  it('says in one line how to point at a stack when there is none', () => {
    for (const args of [['where', MAC], ['tail', 'evpn.routes.v1', '--timeout', '1'], ['replay', fixture], ['alerts'], ['hosts', '--vni', '1']]) {
      const r = run(args, elsewhere);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(
        /^evpn-lens: no running evpn-lens stack found \(no live .*\/\.data\/stack\.json, .*\/\.data\/demo\/stack\.json\); start one with `npm start`, or /,
      );
    }
  });

  it('removes stack.json and its lock on a clean stop', async () => {
    const { code } = await stack.stop('SIGTERM');

    expect(code).toBe(143);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'stack.lock'))).toBe(false);
  });
});
