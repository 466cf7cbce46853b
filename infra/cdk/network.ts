/**
 * The VPC: a new one (private subnets with a NAT gateway per AZ, one NAT, or interface endpoints instead; VPC flow
 * logs; gateway endpoints for DynamoDB and S3), or an
 * existing one given by attributes so that synth needs no account lookup.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  type IVpc,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NetworkProps } from './props.js';

/** Interface endpoints of the 'endpoints' egress mode. */
const INTERFACE_ENDPOINTS = {
  Lambda: InterfaceVpcEndpointAwsService.LAMBDA,
  Sts: InterfaceVpcEndpointAwsService.STS,
  Ssm: InterfaceVpcEndpointAwsService.SSM,
  Ecr: InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  Kafka: InterfaceVpcEndpointAwsService.KAFKA,
} as const;

/** The private subnets where functions, tasks and the cluster run: with egress, or isolated in the 'endpoints' mode. */
export function privateSubnets(vpc: IVpc): SubnetSelection {
  return { subnetType: vpc.privateSubnets.length === 0 && vpc.isolatedSubnets.length > 0 ? SubnetType.PRIVATE_ISOLATED : SubnetType.PRIVATE_WITH_EGRESS };
}

export class Network extends Construct {
  readonly vpc: IVpc;
  readonly cidr: string;

  constructor(scope: Construct, id: string, props: NetworkProps = { mode: 'new' }, retention = RetentionDays.ONE_MONTH) {
    super(scope, id);
    if (props.mode === 'existing') {
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: props.vpcId,
        vpcCidrBlock: props.vpcCidr,
        availabilityZones: props.availabilityZones,
        privateSubnetIds: props.privateSubnetIds,
        publicSubnetIds: props.publicSubnetIds,
      });
      this.cidr = props.vpcCidr;
      return;
    }
    this.cidr = props.cidr ?? '10.80.0.0/16';
    const maxAzs = props.maxAzs ?? 3;
    const egress = props.egress ?? 'nat-per-az';
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(this.cidr),
      maxAzs,
      // One NAT gateway per AZ (CDK's default, undefined): an AZ's egress does not depend on another AZ's gateway.
      natGateways: egress === 'nat-per-az' ? undefined : egress === 'single-nat' ? 1 : 0,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        // Without NAT the private subnets are isolated; the interface endpoints below are their way to AWS.
        { name: 'private', subnetType: egress === 'endpoints' ? SubnetType.PRIVATE_ISOLATED : SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB }, S3: { service: GatewayVpcEndpointAwsService.S3 } },
    });
    if (egress === 'endpoints') {
      // What the functions, the MSK pollers (Lambda, STS) and the collector tasks (ECR, logs, SSM, CloudWatch) call.
      for (const [id, service] of Object.entries(INTERFACE_ENDPOINTS)) vpc.addInterfaceEndpoint(id, { service, privateDnsEnabled: true });
    }
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(new LogGroup(this, 'FlowLogs', { retention, removalPolicy: RemovalPolicy.DESTROY })),
      trafficType: FlowLogTrafficType.REJECT,
    });
    this.vpc = vpc;
  }
}
