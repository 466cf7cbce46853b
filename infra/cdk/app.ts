/** The CDK app (`npm run synth`): cdk-nag's AWS Solutions checks run over every stack. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EvpnLensDataStack } from './evpn-lens-data-stack.js';

const app = new App();
new EvpnLensDataStack(app, 'EvpnLensData', { tablePrefix: app.node.tryGetContext('tablePrefix') ?? 'evpn-lens-' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
