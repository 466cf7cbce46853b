/**
 * Synthesizes the AWS deployment for the CDK tests, offline: the real bundles (`npm run build`'s code, built once per
 * run into a temporary build root with the Dockerfile) and the example configuration. One synthesis per distinct set
 * of props, shared by the tests that ask for it.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildBundles, REPO_ROOT } from '../../infra/build/bundle.js';
import { EvpnLensDataStack } from '../../infra/cdk/evpn-lens-data-stack.js';
import { EvpnLensStack, type EvpnLensStackProps } from '../../infra/cdk/evpn-lens-stack.js';
import type { EvpnLensProps } from '../../infra/cdk/props.js';
import { tempDir } from './temp-dirs.js';

let buildRoot: Promise<string> | undefined;

/** A build root with dist/ bundles and the Dockerfile, made once per test run. */
export function testBuildRoot(): Promise<string> {
  buildRoot ??= (async () => {
    const dir = tempDir('build-');
    await buildBundles(join(dir, 'dist'));
    for (const f of ['Dockerfile', '.dockerignore']) copyFileSync(join(REPO_ROOT, f), join(dir, f));
    return dir;
  })();
  return buildRoot;
}

/** A configuration file with `yaml` as its text. */
export function configFile(yaml: string): string {
  const file = join(tempDir('cfg-'), 'evpn-lens.yaml');
  writeFileSync(file, yaml);
  return file;
}

export const EXAMPLE_CONFIG = join(REPO_ROOT, 'examples', 'evpn-lens.yaml');
export const CONTEXT = { '@aws-cdk/core:defaultCrossStackReferences': 'strong', '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true };

export interface Deployment {
  app: App;
  data: EvpnLensDataStack;
  stack: EvpnLensStack;
}

export async function synthDeployment(props: Partial<EvpnLensProps> & Pick<Partial<EvpnLensStackProps>, 'functions' | 'schedules'> = {}): Promise<Deployment> {
  const app = new App({ context: CONTEXT, outdir: tempDir('cdk-') });
  const env = { region: 'eu-west-1' };
  const data = new EvpnLensDataStack(app, 'Data', { tablePrefix: 'evpn-lens-', env });
  const stack = new EvpnLensStack(app, 'Deploy', {
    configFile: EXAMPLE_CONFIG,
    collector: { bmpAllowedCidrs: ['10.1.0.0/16'], gnmiTargets: [{ cidr: '10.1.0.0/16', port: 57400 }] },
    ...props,
    buildRoot: props.buildRoot ?? (await testBuildRoot()),
    tables: data.index.tables,
    env,
  });
  return { app, data, stack };
}
