// The npm dependencies and the Kafka broker's jars, installed when missing: shared by `npm start` (scripts/start.mjs) and
// `npm test` (scripts/test-peers.mjs), so whichever of the README's two commands runs first sets the clone up.
// Plain Node with no dependencies, because on a fresh clone there are none yet.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. Returns an error line, or undefined. */
export function ensureNpmDeps(log = (l) => console.error(l)) {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(lock).mtimeMs <= statSync(marker).mtimeMs) return undefined;
  log('evpn-lens: installing npm dependencies (npm ci)...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0 ? undefined : 'npm ci failed (see above)';
}

/** Fetches the Kafka broker's jars into .cache/ unless KAFKA_BROKERS points at another cluster. Returns an error line, or undefined. */
export function ensureKafkaJars() {
  if (process.env.KAFKA_BROKERS) return undefined;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'infra/local/kafka-jars.ts')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0 ? undefined : 'could not fetch the Kafka jars (see above)';
}
