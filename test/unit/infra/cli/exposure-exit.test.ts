import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');

// `evpn-lens start` refuses to expose the API or the BMP station beyond loopback without a token or an allowlist, and
// to start without a secret its configuration names: one line naming the key, exit code 2, nothing started.
describe('evpn-lens start with an unsafe or incomplete configuration', () => {
  it.each([
    ['the API off loopback without auth', 'api: { listen: "0.0.0.0:0" }\n', {}, 'api.auth: api.listen 0.0.0.0:0 is not a loopback address'],
    [
      'a token variable that is not set',
      'api: { listen: "0.0.0.0:0", auth: { tokenEnv: EXPOSURE_TEST_TOKEN } }\n',
      {},
      'api.auth.tokenEnv: environment variable EXPOSURE_TEST_TOKEN is not set',
    ],
    [
      'the BMP station off loopback without an allowlist',
      'collector: { bmp: { listen: "[::]:0" } }\n',
      {},
      'collector.bmp.allow: collector.bmp.listen [::]:0 is not a loopback address',
    ],
    [
      'a sink secret that is not set',
      'alerts: { sinks: [ { type: webhook, url: "http://127.0.0.1:9/x", secretEnv: EXPOSURE_TEST_SECRET } ] }\n',
      {},
      'alerts.sinks[0].secretEnv: environment variable EXPOSURE_TEST_SECRET is not set',
    ],
  ])('stops on %s', (_what, yaml, env, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'exposure-'));
    const file = join(dir, 'evpn-lens.yaml');
    writeFileSync(file, `dataDir: ${JSON.stringify(join(dir, 'data'))}\n${yaml}`);

    const r = spawnSync(process.execPath, [join(root, 'bin/evpn-lens.mjs'), 'start', '--config', file, '--log-format', 'json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, KAFKA_BROKERS: '', DYNAMODB_ENDPOINT: '', EVPN_LENS_API_TOKEN: '', ...env },
      timeout: 60_000,
    });

    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
    expect(r.stdout).not.toMatch(/starting Kafka|evpn-lens is up/);
  });
});
