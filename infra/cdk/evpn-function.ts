/**
 * One Lambda function with the house defaults: the esbuild bundle of `npm run build` (dist/lambda/<bundle>), Node.js 24
 * on arm64, a role of its own that may write only its own log group, JSON logs kept `logRetentionDays`, source maps
 * on, and the configuration's location in the environment. Grants are added by the caller, one resource at a time.
 */
import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accept } from './nag.js';
import { privateSubnets } from './network.js';

/** The Lambda runtime of every function: the newest Node.js Lambda offers (nodejs20.x is deprecated). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

export interface EvpnFunctionProps {
  functionName: string;
  description: string;
  /** Directory under <buildRoot>/dist/lambda. */
  bundle: string;
  buildRoot: string;
  memoryMb: number;
  timeout: Duration;
  environment: Record<string, string>;
  retention: RetentionDays;
  vpc?: IVpc;
  securityGroups?: ISecurityGroup[];
  reservedConcurrency?: number;
}

export class EvpnFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, p: EvpnFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { logGroupName: `/aws/lambda/${p.functionName}`, retention: p.retention, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${p.functionName}: its own logs and what it is granted`,
    });
    this.role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    if (p.vpc) {
      // Attaching to the VPC: Lambda creates and removes network interfaces. These EC2 actions take no resource-level
      // permissions (AWS Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC").
      this.role.addToPolicy(
        new PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      accept(this.role, {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Lambda VPC networking: the EC2 network-interface actions take no resource-level permissions (resource "*" is required).',
      });
    }
    this.fn = new LambdaFunction(this, 'Function', {
      functionName: p.functionName,
      description: p.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      code: Code.fromAsset(join(p.buildRoot, 'dist', 'lambda', p.bundle)),
      handler: 'index.handler',
      memorySize: p.memoryMb,
      timeout: p.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...p.environment },
      vpc: p.vpc,
      vpcSubnets: p.vpc ? privateSubnets(p.vpc) : undefined,
      securityGroups: p.securityGroups,
      reservedConcurrentExecutions: p.reservedConcurrency,
    });
  }
}
