// The pre-test step (`npm test` runs it as `pretest`; .ci/run runs it too, so there is one install path).
// 1. Checks the real peers the integration tests run (PEERS below). When some are missing and this process may install
//    them (root, apt-get, not EVPN_LENS_NO_INSTALL=1 / --no-install), installs their Debian packages, one progress line
//    per package; otherwise stops before any test with one line naming the packages and the command that installs them.
// 2. Installs the npm dependencies when they are missing (npm ci) and fetches the Kafka broker's jars.
// Plain Node with no dependencies: it runs before `npm ci` on a fresh clone.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { goPeersBuilt } from './go-peers.mjs';
import { ensureKafkaJars, ensureNpmDeps, root } from './npm-deps.mjs';

/** An executable found on PATH. */
export const onPath = (command) => () => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && isExecutable(join(dir, command)));
/** An executable at a fixed path (absolute, or relative to the repository). */
export const atPath = (file) => () => isExecutable(isAbsolute(file) ? file : join(root, file));

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the test suite runs for real. Add a row when a test needs another peer:
 * - `apt`: the Debian package that provides it (installed with apt-get);
 * - or `build`: a command (argv, run from the repository root) that builds it into the repository's cache, for peers
 *   built from source such as a Go harness; it runs after the Debian packages, in both modes (it installs nothing
 *   system-wide), and `hint` is what the one-line message tells a user to run.
 * @type {{ name: string, present: () => boolean, apt?: string, build?: { command: string[], hint: string } }[]}
 */
export const PEERS = [
  { name: 'gobgpd', present: onPath('gobgpd'), apt: 'gobgpd' },
  { name: 'gobgp (GoBGP CLI)', present: onPath('gobgp'), apt: 'gobgpd' },
  { name: 'FRR bgpd', present: atPath('/usr/lib/frr/bgpd'), apt: 'frr' },
  { name: 'tshark', present: onPath('tshark'), apt: 'tshark' },
  { name: 'chromium', present: atPath('/usr/bin/chromium'), apt: 'chromium' },
  // The notifier's real peer, and promtool for the Prometheus rules (test/integration/notify, deploy/prometheus).
  { name: 'prometheus-alertmanager', present: onPath('prometheus-alertmanager'), apt: 'prometheus-alertmanager' },
  { name: 'promtool', present: onPath('promtool'), apt: 'prometheus' },
  // The local Kafka broker runs on Java 17+ from jars Maven resolves.
  { name: 'java', present: onPath('java'), apt: 'default-jre-headless' },
  { name: 'mvn', present: onPath('mvn'), apt: 'maven' },
  // The gNMI test peers: a target on openconfig/gnmi v0.14.1's cache+subscribe packages and its fake_server, built
  // with Go from the Go module proxy into .cache/go-peers/ (rebuilt only when their sources or Go change).
  { name: 'go', present: onPath('go'), apt: 'golang-go' },
  {
    name: 'gNMI test peers (gnmi-target, fake_server)',
    present: goPeersBuilt,
    build: { command: ['node', 'scripts/go-peers.mjs'], hint: 'node scripts/go-peers.mjs' },
  },
];

const say = (line) => process.stderr.write(`evpn-lens test peers: ${line}\n`);

function dpkgInstalled(pkg) {
  const r = spawnSync('dpkg-query', ['--status', pkg], { encoding: 'utf8' });
  return r.status === 0 && /^Status: install ok installed$/m.test(r.stdout);
}

/** apt-get arguments for one package; --reinstall when dpkg says it is installed but its file is gone. */
const aptArgs = (pkg) => [
  'install',
  '-y',
  '-q',
  '--no-install-recommends',
  '-o',
  'DPkg::Lock::Timeout=300',
  ...(dpkgInstalled(pkg) ? ['--reinstall'] : []),
  pkg,
];

/** The single command a user runs to install `pkgs`. */
function installCommand(pkgs) {
  const reinstall = pkgs.some(dpkgInstalled) ? ' --reinstall' : '';
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get install -y${reinstall} ${pkgs.join(' ')}`;
}

export function noInstall(argv = process.argv) {
  return argv.includes('--no-install') || ['1', 'true', 'yes'].includes(String(process.env.EVPN_LENS_NO_INSTALL ?? '').toLowerCase());
}

/** Returns an error line, or undefined when every peer is present (installing or building what is missing when allowed). */
export function ensurePeers({ install = !noInstall(), only = (_peer) => true } = {}) {
  const missing = PEERS.filter((p) => only(p) && !p.present());
  if (missing.length === 0) return undefined;
  const aptMissing = missing.filter((p) => p.apt);
  const pkgs = [...new Set(aptMissing.map((p) => p.apt))];
  const names = missing.map((p) => (p.apt && p.apt !== p.name ? `${p.name} (package ${p.apt})` : p.name)).join(', ');
  const mayInstall = install && process.getuid?.() === 0 && onPath('apt-get')();
  if (pkgs.length > 0 && !mayInstall) {
    const builds = missing.filter((p) => p.build).map((p) => `; then ${p.build.hint}`);
    return `missing ${names}; install with: ${installCommand(pkgs)}${builds.join('')}`;
  }
  if (pkgs.length > 0) {
    say(`updating the Debian package lists (apt-get update) for ${pkgs.join(', ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-q', '-o', 'DPkg::Lock::Timeout=300'], { encoding: 'utf8', env });
    if (update.status !== 0) return `apt-get update failed: ${lastLine(update)}; install by hand with: ${installCommand(pkgs)}`;
    for (const [i, pkg] of pkgs.entries()) {
      const t0 = Date.now();
      say(`installing ${pkg} (${i + 1}/${pkgs.length})...`);
      const r = spawnSync('apt-get', aptArgs(pkg), { encoding: 'utf8', env });
      if (r.status !== 0) return `apt-get install ${pkg} failed after ${secs(t0)}: ${lastLine(r)}`;
    }
  }
  for (const p of missing.filter((x) => x.build)) {
    const t0 = Date.now();
    say(`building ${p.name}...`);
    const [cmd, ...args] = p.build.command;
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) return `building ${p.name} failed after ${secs(t0)}: ${lastLine(r)}; run: ${p.build.hint}`;
  }
  const still = PEERS.filter((p) => only(p) && !p.present());
  if (still.length > 0) return `still missing after installing: ${still.map((p) => p.name).join(', ')} (PATH=${process.env.PATH})`;
  say(`ready (${missing.map((p) => p.name).join(', ')} installed)`);
  return undefined;
}

const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const lastLine = (r) => `${r.stderr ?? ''}${r.stdout ?? ''}${r.error?.message ?? ''}`.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.status}`;

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  // --peers-only: the peers alone (the step's own test uses it, since npm ci under a running vitest would pull the rug).
  const peersOnly = process.argv.includes('--peers-only');
  const error = ensurePeers() ?? (peersOnly ? undefined : (ensureNpmDeps() ?? ensureKafkaJars()));
  if (error) {
    process.stderr.write(`evpn-lens test peers: ${error}\n`);
    process.exit(1);
  }
}
