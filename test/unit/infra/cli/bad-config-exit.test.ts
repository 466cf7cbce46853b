import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');

function runCli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'infra/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, KAFKA_BROKERS: '', DYNAMODB_ENDPOINT: '' },
    timeout: 60_000,
  });
}

describe('evpn-lens start with bad configuration', () => {
  it.each([
    ['unknown key', 'fabrics: []\ncolector: {}\n', 'unknown key "colector"'],
    ['bad address', 'collector:\n  bmp:\n    listen: "not-an-address"\n', 'collector.bmp.listen: expected host:port'],
    ['missing fabric name', 'fabrics:\n  - match: { sysNames: ["dc1-*"] }\n', 'fabrics[0].name: required'],
  ])('prints one error line and exits 2 on %s', (_what, yaml, expected) => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'bad.yaml');
    writeFileSync(file, yaml);

    const result = runCli(['start', '--config', file]);

    expect(result.status).toBe(2);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.includes('ExperimentalWarning') && l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
    expect(lines[0]).toContain(file);
  });
});
