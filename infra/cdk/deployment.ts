/** Both stacks of a deployment in an app, with cdk-nag's AWS Solutions checks (the app, the CI lint and the tests use it). */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../config/load-config.js';
import { EvpnLensDataStack } from './evpn-lens-data-stack.js';
import { EvpnLensStack } from './evpn-lens-stack.js';
import type { EvpnLensProps } from './props.js';

export function addDeployment(
  app: App,
  o: { props: EvpnLensProps; region: string; account?: string; nag?: boolean },
): { data: EvpnLensDataStack; stack: EvpnLensStack } {
  const cfg = loadConfig(o.props.configFile);
  // A concrete region (NLB access logs and the Cognito domain need one); the account may stay unknown at synth.
  const env = { account: o.account, region: o.region };
  const data = new EvpnLensDataStack(app, 'EvpnLensData', { tablePrefix: cfg.dynamodb.tablePrefix, env });
  const stack = new EvpnLensStack(app, 'EvpnLens', { ...o.props, tables: data.index.tables, env });
  if (o.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { data, stack };
}
