/**
 * Kafka on AWS: an MSK cluster with IAM authentication — Serverless by default, provisioned as an option, or an
 * existing cluster — its bootstrap brokers (read at deploy time), and every evpn-lens topic created at deploy time with
 * its partition count by a custom resource (kafkajs with IAM, infra/aws/lambda/kafka-topics.ts).
 */
import { ArnFormat, type CfnElement, CustomResource, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PredefinedMetric, ScalableTarget, ServiceNamespace } from 'aws-cdk-lib/aws-applicationautoscaling';
import { type ISecurityGroup, type IVpc, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnCluster, CfnServerlessCluster } from 'aws-cdk-lib/aws-msk';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId, Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { EvpnFunction } from './evpn-function.js';
import { accept } from './nag.js';
import { privateSubnets } from './network.js';
import type { MskProps } from './props.js';

/** MSK's port for IAM-authenticated TLS clients. */
export const MSK_IAM_PORT = 9098;

/** The id aws-cdk-lib gives the one function behind every AwsCustomResource of a stack. */
const AWS_SDK_CALL_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface StreamingProps {
  prefix: string;
  vpc: IVpc;
  msk: MskProps;
  /** Every topic with its partitions and retention (ms; the custom resource sets retention.ms on it). */
  topics: { name: string; partitions: number; retentionMs?: number }[];
  buildRoot: string;
  retention: RetentionDays;
}

export class Streaming extends Construct {
  readonly clusterArn: string;
  readonly bootstrapBrokers: string;
  /** The cluster's security group: clients are let in on 9098; the MSK event pollers use it too. */
  readonly securityGroup: ISecurityGroup;
  /** The topics custom resource: consumers and producers depend on it. */
  readonly topics: CustomResource;
  readonly #clusterName: string;
  readonly #clusterUuid: string;

  constructor(scope: Construct, id: string, p: StreamingProps) {
    super(scope, id);
    const privateSubnetIds = p.vpc.selectSubnets(privateSubnets(p.vpc)).subnetIds;
    if (p.msk.mode === 'existing') {
      this.securityGroup = SecurityGroup.fromSecurityGroupId(this, 'ClusterSg', p.msk.securityGroupId, { mutable: true });
      this.clusterArn = p.msk.clusterArn;
      this.bootstrapBrokers = p.msk.bootstrapBrokers;
    } else {
      const sg = new SecurityGroup(this, 'ClusterSg', { vpc: p.vpc, description: 'evpn-lens MSK cluster', allowAllOutbound: true });
      this.securityGroup = sg;
      if (p.msk.mode === 'serverless') {
        const cluster = new CfnServerlessCluster(this, 'Cluster', {
          clusterName: `${p.prefix}kafka`,
          clientAuthentication: { sasl: { iam: { enabled: true } } },
          vpcConfigs: [{ subnetIds: privateSubnetIds, securityGroups: [sg.securityGroupId] }],
        });
        this.clusterArn = cluster.attrArn;
      } else {
        const volumeGiB = p.msk.volumeGiB ?? 500;
        const brokerLogs = new LogGroup(this, 'BrokerLogs', { retention: p.retention, removalPolicy: RemovalPolicy.DESTROY });
        const cluster = new CfnCluster(this, 'Cluster', {
          clusterName: `${p.prefix}kafka`,
          kafkaVersion: p.msk.kafkaVersion ?? '3.9.x',
          numberOfBrokerNodes: p.msk.brokers ?? privateSubnetIds.length,
          brokerNodeGroupInfo: {
            clientSubnets: privateSubnetIds,
            instanceType: p.msk.instanceType ?? 'kafka.m7g.large',
            securityGroups: [sg.securityGroupId],
            storageInfo: { ebsStorageInfo: { volumeSize: volumeGiB } },
          },
          clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
          encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
          loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
          enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
        });
        this.clusterArn = cluster.attrArn;
        // Disks grow before they fill (MSK storage auto scaling; it never shrinks a volume): at 60% used, up to
        // maxVolumeGiB. Retention per topic (below) bounds what they hold.
        const storage = new ScalableTarget(this, 'StorageScaling', {
          serviceNamespace: ServiceNamespace.KAFKA,
          scalableDimension: 'kafka:broker-storage:VolumeSize',
          resourceId: cluster.attrArn,
          minCapacity: volumeGiB,
          maxCapacity: Math.max(volumeGiB, p.msk.maxVolumeGiB ?? 4 * volumeGiB),
        });
        storage.scaleToTrackMetric('StorageUtilization', {
          targetValue: 60,
          predefinedMetric: PredefinedMetric.KAFKA_BROKER_STORAGE_UTILIZATION,
          disableScaleIn: true,
        });
      }
      // The bootstrap string is known once the cluster exists: read it at deploy time.
      const brokers = new AwsCustomResource(this, 'BootstrapBrokers', {
        onUpdate: {
          service: 'Kafka',
          action: 'getBootstrapBrokers',
          parameters: { ClusterArn: this.clusterArn },
          physicalResourceId: PhysicalResourceId.of(this.clusterArn),
        },
        policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
        installLatestAwsSdk: false,
      });
      this.bootstrapBrokers = brokers.getResponseField('BootstrapBrokerStringSaslIam');
      // AwsCustomResource runs on one function per stack, made by aws-cdk-lib.
      const sdkFunction = Stack.of(this).node.tryFindChild(AWS_SDK_CALL_FUNCTION_ID);
      if (sdkFunction) {
        accept(sdkFunction, {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'aws-cdk-lib AwsCustomResource function: the managed policy lets it write its logs, nothing else.',
        });
      }
    }
    // The MSK event source mapping's pollers join with the cluster's own security group (AWS Lambda developer guide,
    // "Configuring Amazon MSK event sources": a self-referencing rule) — an existing cluster's group gets it too.
    this.securityGroup.addIngressRule(this.securityGroup, Port.tcp(MSK_IAM_PORT), 'MSK event pollers (the cluster security group itself)');
    // cluster/<name>/<uuid>: topic and group ARNs share the name and uuid.
    const parts = Fn.split('/', this.clusterArn);
    this.#clusterName = Fn.select(1, parts);
    this.#clusterUuid = Fn.select(2, parts);

    const topicsFn = new EvpnFunction(this, 'TopicsFunction', {
      functionName: `${p.prefix}kafka-topics`,
      description: 'Creates the evpn-lens topics on MSK (CloudFormation custom resource)',
      bundle: 'kafka-topics',
      buildRoot: p.buildRoot,
      memoryMb: 256,
      timeout: Duration.minutes(5),
      environment: {},
      retention: p.retention,
      vpc: p.vpc,
      securityGroups: [this.clientSecurityGroup('TopicsFunctionSg', p.vpc, 'evpn-lens topic creation')],
    });
    this.grantConnect(topicsFn.role);
    topicsFn.role.addToPolicy(
      new PolicyStatement({
        actions: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          // retention.ms of each topic
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: p.topics.map((t) => this.topicArn(t.name)),
      }),
    );
    const provider = new Provider(this, 'TopicsProvider', {
      onEventHandler: topicsFn.fn,
      logGroup: new LogGroup(this, 'TopicsProviderLogs', { retention: p.retention, removalPolicy: RemovalPolicy.DESTROY }),
    });
    accept(
      provider,
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(topicsFn.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason: 'CDK provider framework: it may invoke the topics function and its versions (":*"), nothing else.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK provider framework (aws-cdk-lib): the managed policy lets its function write its logs, nothing else.',
      },
    );
    this.topics = new CustomResource(this, 'Topics', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EvpnLensKafkaTopics',
      properties: { Brokers: this.bootstrapBrokers, Topics: p.topics, ReplicationFactor: -1 },
    });
  }

  /** A security group for a Kafka client (function or task), let into the cluster on the IAM port. */
  clientSecurityGroup(id: string, vpc: IVpc, description: string): SecurityGroup {
    const sg = new SecurityGroup(this, id, { vpc, description, allowAllOutbound: true });
    this.securityGroup.addIngressRule(sg, Port.tcp(MSK_IAM_PORT), description);
    return sg;
  }

  topicArn(topic: string): string {
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource: 'topic',
      resourceName: `${this.#clusterName}/${this.#clusterUuid}/${topic}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  groupArn(group: string): string {
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource: 'group',
      resourceName: `${this.#clusterName}/${this.#clusterUuid}/${group}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** kafka-cluster:Connect (and what IAM clients need to read the cluster's settings). */
  grantConnect(g: IGrantable): void {
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [this.clusterArn],
      }),
    );
  }

  /** Producing to topics (idempotent producers included). */
  grantProduce(g: IGrantable, topics: string[]): void {
    this.grantConnect(g);
    g.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kafka-cluster:WriteDataIdempotently'], resources: [this.clusterArn] }));
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: topics.map((t) => this.topicArn(t)) }),
    );
  }

  /** What an MSK event source mapping needs of the function's role (AWS Lambda developer guide, MSK permissions). */
  grantConsume(g: IGrantable, topics: string[], groups: string[]): void {
    this.grantConnect(g);
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], resources: [this.clusterArn] }),
    );
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: topics.map((t) => this.topicArn(t)) }),
    );
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'], resources: groups.map((x) => this.groupArn(x)) }),
    );
    // The pollers attach to the cluster's subnets (EC2 network-interface and VPC description calls take no resource).
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeVpcs',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
  }
}
