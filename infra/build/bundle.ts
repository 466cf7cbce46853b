/**
 * `npm run build`: bundles every deployed entry point with esbuild into dist/ — one ESM file per Lambda function
 * (dist/lambda/<id>/index.mjs, with its source map) and the collector's container entry (dist/collector/index.mjs).
 * No Docker: the CDK app takes these directories as they are (infra/cdk/), and the Dockerfile copies dist/collector.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { FUNCTIONS } from '../catalog/functions.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface BundleSpec {
  id: string;
  /** Entry point, relative to the repository root. */
  entry: string;
  /** Output directory, relative to the output root. */
  dir: string;
}

/** The Lambda bundles besides the functions' own: the scheduled tasks' and the topic-creating custom resource's. */
export const EXTRA_LAMBDA_BUNDLES: readonly BundleSpec[] = [
  { id: 'scheduled', entry: 'infra/aws/lambda/scheduled.ts', dir: 'lambda/scheduled' },
  { id: 'kafka-topics', entry: 'infra/aws/lambda/kafka-topics.ts', dir: 'lambda/kafka-topics' },
];

export const COLLECTOR_BUNDLE: BundleSpec = { id: 'collector', entry: 'infra/aws/collector-main.ts', dir: 'collector' };

export function bundleSpecs(): BundleSpec[] {
  return [...FUNCTIONS.map((f) => ({ id: f.id, entry: f.entry, dir: `lambda/${f.id}` })), ...EXTRA_LAMBDA_BUNDLES, COLLECTOR_BUNDLE];
}

/** Where the bundles go unless told otherwise. */
export const DEFAULT_OUT = join(REPO_ROOT, 'dist');

export async function buildBundles(outRoot: string = DEFAULT_OUT, specs: BundleSpec[] = bundleSpecs()): Promise<{ id: string; file: string; bytes: number }[]> {
  const out: { id: string; file: string; bytes: number }[] = [];
  for (const s of specs) {
    const dir = join(outRoot, s.dir);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'index.mjs');
    await build({
      entryPoints: [join(REPO_ROOT, s.entry)],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'error',
      // CommonJS dependencies (kafkajs, pino, the AWS SDK) call require(): give the ESM bundle one.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    out.push({ id: s.id, file, bytes: (await stat(file)).size });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outRoot = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT;
  for (const b of await buildBundles(outRoot)) console.log(`${b.id.padEnd(14)} ${(b.bytes / 1024).toFixed(0).padStart(6)} KiB  ${b.file}`);
}
