/** A policy statement to read named SSM parameters under one prefix: the secrets a function or task reads at start. */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/**
 * `ssm:GetParameter` on exactly `<prefix><name>` for each name (prefix as `/evpn-lens/sinks/`). SecureStrings under the
 * AWS managed key need no key grant.
 */
export function ssmParameterReadStatement(scope: Construct, prefix: string, names: readonly string[]): PolicyStatement {
  const stack = Stack.of(scope);
  return new PolicyStatement({
    actions: ['ssm:GetParameter'],
    resources: names.map((n) =>
      stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${prefix}${n}`.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    ),
  });
}
