/**
 * The CDK app (`npx cdk synth`, offline: no account, no Docker): the data stack (tables) and the deployment stack,
 * with cdk-nag's AWS Solutions checks over both. Context: `config` (the evpn-lens YAML, default
 * examples/evpn-lens.yaml) and `props` (a JSON file of EvpnLensProps, README "Deploying to AWS"). The functions'
 * bundles must exist: `npm run build` first.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../config/load-config.js';
import { EvpnLensDataStack } from './evpn-lens-data-stack.js';
import { EvpnLensStack, REPO_ROOT } from './evpn-lens-stack.js';
import type { EvpnLensProps } from './props.js';

const app = new App();
const configFile = resolve(app.node.tryGetContext('config') ?? `${REPO_ROOT}/examples/evpn-lens.yaml`);
const propsFile = app.node.tryGetContext('props') as string | undefined;
const props: Omit<EvpnLensProps, 'configFile'> = propsFile
  ? JSON.parse(readFileSync(resolve(propsFile), 'utf8'))
  : { collector: { bmpAllowedCidrs: ['10.0.0.0/8'] } };
const cfg = loadConfig(configFile);
// A concrete region (NLB access logs and the Cognito domain need one); the account may stay unknown at synth.
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? 'us-east-1' };
const data = new EvpnLensDataStack(app, 'EvpnLensData', { tablePrefix: cfg.dynamodb.tablePrefix, env });
new EvpnLensStack(app, 'EvpnLens', { ...props, configFile, tables: data.index.tables, env });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
