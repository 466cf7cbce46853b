// Builds the Go test peers of the gNMI tests from the Go module proxy: test/peers/gnmi-target (a target on
// openconfig/gnmi v0.14.1's cache and subscribe packages) and that module's testing/fake/gnmi/cmd/fake_server, into
// .cache/go-peers/<hash of the harness sources and the Go version>/, so repeated runs do not rebuild.
// `go install …@version` is not used: here it fails on a deprecation look-up (HTTP 403); building inside a module that
// requires github.com/openconfig/gnmi works. Run by the pre-test step (scripts/test-peers.mjs) and by the tests.
// `node scripts/go-peers.mjs` builds when needed and prints the directory.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'test/peers/gnmi-target');
const SOURCES = ['main.go', 'tools.go', 'go.mod', 'go.sum'];
export const GO_PEERS = ['gnmi-target', 'fake_server'];
const FAKE_SERVER = 'github.com/openconfig/gnmi/testing/fake/gnmi/cmd/fake_server';

const goEnv = () => ({ ...process.env, GOFLAGS: '-mod=mod' });

function goVersion() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Where the binaries of the current sources are (or will be); undefined without Go. */
export function goPeersDir() {
  const version = goVersion();
  if (!version) return undefined;
  const h = createHash('sha256').update(version);
  for (const f of SOURCES) h.update(f).update(readFileSync(join(source, f)));
  let cache = process.env.EVPN_LENS_CACHE ?? join(root, '.cache');
  if (existsSync(cache)) cache = realpathSync(cache); // go build refuses a symlinked parent directory
  return join(cache, 'go-peers', h.digest('hex').slice(0, 16));
}

export function goPeersBuilt() {
  const dir = goPeersDir();
  return Boolean(dir) && GO_PEERS.every((b) => existsSync(join(dir, b)));
}

/** Builds both binaries when they are not there; returns the directory or throws with the build's last lines. */
export function buildGoPeers() {
  const dir = goPeersDir();
  if (!dir) throw new Error('Go is required to build the gNMI test peers (`go` not found on PATH)');
  if (GO_PEERS.every((b) => existsSync(join(dir, b)))) return dir;
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const [out, pkg] of [
    ['gnmi-target', '.'],
    ['fake_server', FAKE_SERVER],
  ]) {
    const r = spawnSync('go', ['build', '-o', join(staging, out), pkg], { cwd: source, env: goEnv(), encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(staging, { recursive: true, force: true });
      const tail = `${r.stderr ?? ''}${r.stdout ?? ''}${r.error?.message ?? ''}`.trim().split('\n').slice(-5).join('\n');
      throw new Error(`go build ${pkg} failed:\n${tail}`);
    }
  }
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run built it at the same time: keep theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!GO_PEERS.every((b) => existsSync(join(dir, b)))) throw err;
  }
  return dir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(buildGoPeers());
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
