/**
 * The Kafka broker's jars, resolved from Maven Central with infra/kafka/pom.xml into a git-ignored cache
 * (`.cache/kafka-<version>/libs`, or under EVPN_LENS_CACHE). Fetched once, with Maven's progress on stderr.
 * Run directly (`node --import tsx infra/local/kafka-jars.ts`) to pre-fetch, as .ci/run does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { LocalRuntimeError, PrerequisiteError, StartAbortedError } from './errors.js';

const repoRoot = resolve(import.meta.dirname, '../..');
export const KAFKA_POM = join(repoRoot, 'infra/kafka/pom.xml');

export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(KAFKA_POM, 'utf8'));
  if (!m?.[1]) throw new LocalRuntimeError(`${KAFKA_POM}: no <kafka.version> property`);
  return m[1];
}

export function cacheDir(): string {
  return resolve(process.env.EVPN_LENS_CACHE ?? join(repoRoot, '.cache'));
}

export function kafkaLibDir(): string {
  return join(cacheDir(), `kafka-${kafkaVersion()}`, 'libs');
}

function hasJars(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('kafka_2.13-'));
}

export function assertCommand(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  // Killed by a signal: the terminal's Ctrl-C reached it too (it shares our process group). Not a missing program.
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') throw new StartAbortedError(`\`${cmd}\` interrupted by ${r.signal}`);
  if (r.error || r.status !== 0) {
    throw new PrerequisiteError(`${what} is required but \`${cmd}\` was not found or failed (${r.error?.message ?? `exit ${r.status}`}); install it and retry`);
  }
  return `${r.stdout}${r.stderr}`;
}

/** Returns the lib directory, fetching the jars first when they are not cached. */
export async function ensureKafkaJars(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const dir = kafkaLibDir();
  if (hasJars(dir)) return dir;
  assertCommand('mvn', ['-v'], 'Maven (to fetch the Kafka broker jars)');
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  log(`fetching Apache Kafka ${kafkaVersion()} jars from Maven Central into ${dir} (first run only)...`);
  await new Promise<void>((ok, fail) => {
    const child = spawn('mvn', ['-B', '-f', KAFKA_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-Dmdep.useRepositoryLayout=false'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (/Download(ed|ing) from|BUILD|ERROR/.test(line)) {
          lines++;
          log(`  mvn: ${stripVTControlCharacters(line).trim()}`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => fail(new LocalRuntimeError('could not run mvn', { cause: err })));
    child.on('exit', (code) =>
      code === 0 ? ok() : fail(new LocalRuntimeError(`mvn dependency:copy-dependencies failed with exit ${code} (${lines} lines of output above)`)),
    );
  });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  log(`Kafka jars ready (${readdirSync(dir).length} files)`);
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  ensureKafkaJars().then(
    (dir) => console.log(dir),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
