/**
 * The CDK app (`npx cdk synth`, offline: no account, no Docker): the data stack (tables) and the deployment stack,
 * with cdk-nag's AWS Solutions checks over both. Context: `config` (the evpn-lens YAML, default
 * examples/evpn-lens.yaml), `props` (a JSON file of EvpnLensProps: README "Deploying to AWS"; examples in
 * infra/cdk/examples/) and `region`. The functions' bundles must exist: `npm run build` first.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addDeployment } from './deployment.js';
import { REPO_ROOT } from './evpn-lens-stack.js';
import type { EvpnLensProps } from './props.js';

const app = new App();
const propsFile = resolve(app.node.tryGetContext('props') ?? `${REPO_ROOT}/infra/cdk/examples/serverless.json`);
const props = JSON.parse(readFileSync(propsFile, 'utf8')) as Omit<EvpnLensProps, 'configFile'>;
const configFile = resolve(app.node.tryGetContext('config') ?? `${REPO_ROOT}/examples/evpn-lens.yaml`);
addDeployment(app, {
  props: { ...props, configFile },
  region: app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  account: process.env.CDK_DEFAULT_ACCOUNT,
});
app.synth();
