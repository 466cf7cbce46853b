import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The pre-test step (scripts/test-peers.mjs) against the real machine: a peer hidden from PATH (no-install mode), and a
// Debian package really removed and installed back (install mode). Needs root and apt-get, as CI and `npm test` here have.
const root = resolve(import.meta.dirname, '../../..');
const script = join(root, 'scripts/test-peers.mjs');

/** A PATH of one directory holding links to every command on the real PATH except `hidden`. */
function pathWithout(hidden: string): { path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'evpn-lens-path-'));
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d || !existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f !== hidden && !existsSync(join(dir, f))) symlinkSync(join(d, f), join(dir, f));
  }
  return { path: dir, dir };
}

describe('scripts/test-peers.mjs', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    // Whatever happened above, leave the machine with its peers.
    if (!existsSync('/usr/bin/tshark')) spawnSync('apt-get', ['install', '-y', '-q', 'tshark'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  });

  it('stops with one line naming the package and the install command when a peer is hidden and installing is off', () => {
    const { path, dir } = pathWithout('gobgp');
    dirs.push(dir);

    const viaEnv = spawnSync(process.execPath, [script, '--peers-only'], { encoding: 'utf8', env: { ...process.env, PATH: path, EVPN_LENS_NO_INSTALL: '1' } });
    const viaFlag = spawnSync(process.execPath, [script, '--peers-only', '--no-install'], { encoding: 'utf8', env: { ...process.env, PATH: path } });

    for (const r of [viaEnv, viaFlag]) {
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/missing gobgp \(GoBGP CLI\) \(package gobgpd\); install with: apt-get install -y (--reinstall )?gobgpd$/);
    }
  });

  it('makes `npm test` stop before any test runs, with that one line', () => {
    const { path, dir } = pathWithout('gobgp');
    dirs.push(dir);

    const r = spawnSync('npm', ['test', '--', '--project', 'unit'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH: path, EVPN_LENS_NO_INSTALL: '1' },
      timeout: 60_000,
    });

    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('evpn-lens test peers: missing gobgp (GoBGP CLI) (package gobgpd); install with: apt-get install -y');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/Test Files|RUN\s+v\d/);
  });

  it('installs a missing peer from its Debian package in install mode, one progress line per package', () => {
    const removed = spawnSync('dpkg', ['--remove', 'tshark'], { encoding: 'utf8' });
    expect(removed.status, removed.stderr).toBe(0);
    expect(existsSync('/usr/bin/tshark')).toBe(false);

    const t0 = Date.now();
    const r = spawnSync(process.execPath, [script, '--peers-only'], { encoding: 'utf8', env: { ...process.env, EVPN_LENS_NO_INSTALL: '' }, timeout: 170_000 });

    expect(r.status, r.stderr).toBe(0);
    const progress = r.stderr.split('\n').filter((l) => l.includes('installing '));
    expect(progress).toEqual(['evpn-lens test peers: installing tshark (1/1)...']);
    expect(spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout).toMatch(/^TShark/);
    process.stderr.write(`[test-peers] tshark removed and installed back in ${Date.now() - t0} ms\n`);
  });
});
