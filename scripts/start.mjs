// `npm start`: checks the prerequisites, installs what is missing (npm dependencies, the Kafka jars), then starts the
// whole local stack (`evpn-lens start`). `npm run demo` (this script with `demo`) also installs the demo's routers
// from Debian's packages as the pre-test step does, then runs `evpn-lens demo`.
// Plain Node with no dependencies, because on a fresh clone there are none yet.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKafkaJars, ensureNpmDeps, root } from './npm-deps.mjs';
import { STACK_NODE_FLAGS } from './stack-node-flags.mjs';
import { ensurePeers } from './test-peers.mjs';

const fail = (msg) => {
  console.error(`evpn-lens: ${msg}`);
  process.exit(2);
};

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`Node.js 20 or later is required (this is ${process.version})`);

const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
const kafkaElsewhere = Boolean(process.env.KAFKA_BROKERS) || process.argv.includes('--kafka-brokers');
if (!kafkaElsewhere) {
  if (java.error)
    fail('Java 17 or later is required for the local Kafka broker (`java` was not found); install a JDK, or set KAFKA_BROKERS to use an existing cluster');
  const m = /version "(\d+)/.exec(`${java.stderr}${java.stdout}`);
  if (m && Number(m[1]) < 17) fail(`Java 17 or later is required for the local Kafka broker (found ${m[1]})`);
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error && !existsSync(join(root, '.cache')))
    fail('Maven is required to fetch the Kafka broker jars (`mvn` was not found); install it, or set KAFKA_BROKERS');
}

const npmError = ensureNpmDeps();
if (npmError) fail(npmError);
if (!kafkaElsewhere) {
  const jarsError = ensureKafkaJars();
  if (jarsError) fail(jarsError);
}

const demo = process.argv[2] === 'demo';
if (demo) {
  const peersError = ensurePeers({ only: (p) => ['gobgpd', 'gobgp (GoBGP CLI)', 'FRR bgpd'].includes(p.name) });
  if (peersError) fail(peersError);
}

const args = process.argv.slice(demo ? 3 : 2);
const child = spawn(process.execPath, [...STACK_NODE_FLAGS, join(root, 'bin/evpn-lens.mjs'), demo ? 'demo' : 'start', ...args], {
  cwd: root,
  stdio: 'inherit',
});
// The stack stops itself in order on SIGINT/SIGTERM. A terminal's Ctrl-C reaches it directly (one process group); a
// signal sent to this wrapper alone is passed on (the stack ignores the duplicate of a Ctrl-C).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
