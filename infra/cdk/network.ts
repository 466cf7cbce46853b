/**
 * The VPC: a new one (private subnets with NAT egress, VPC flow logs, gateway endpoints for DynamoDB and S3), or an
 * existing one given by attributes so that synth needs no account lookup.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { FlowLogDestination, FlowLogTrafficType, GatewayVpcEndpointAwsService, IpAddresses, type IVpc, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NetworkProps } from './props.js';

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
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(this.cidr),
      maxAzs: props.maxAzs ?? 3,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB }, S3: { service: GatewayVpcEndpointAwsService.S3 } },
    });
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(new LogGroup(this, 'FlowLogs', { retention, removalPolicy: RemovalPolicy.DESTROY })),
      trafficType: FlowLogTrafficType.REJECT,
    });
    this.vpc = vpc;
  }
}
