/**
 * The collector on ECS Fargate, from the repository's Dockerfile, behind a Network Load Balancer on TCP 11019.
 *
 * One BMP router, one task: a router's BMP session is one long-lived TCP connection, and an NLB keeps a connection on
 * the target its flow hash chose for the connection's whole life, so all of a router's messages reach one task (the
 * one holding its RIB state). Source-IP stickiness sends the router's next connection to the same task while it is
 * healthy, and the client address is preserved (the collector's allow list and fabric rules match on it). When a task
 * goes away (deployment, scale-in, failure) its sessions drain for the deregistration delay, the routers reconnect to
 * another task, and BMP's initial dump (RFC 7854 §5) rebuilds their state there. Auto scaling on CPU adds tasks for new
 * sessions; it does not move sessions that are up.
 *
 * Each task: the collector container (health check on /healthz, logs to CloudWatch, kafkajs to MSK with IAM) and a
 * CloudWatch agent sidecar that turns the collector's EMF lines into CloudWatch metrics. Egress: MSK, AWS APIs (443)
 * and the gNMI targets; nothing else. Secrets (gNMI passwords, `${ssm:/name}` references) are read from SSM at start,
 * with the task role granted exactly those parameters; the task definition holds none.
 */
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, Peer, Port, SecurityGroup, SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriver,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  OperatingSystemFamily,
  Protocol,
} from 'aws-cdk-lib/aws-ecs';
import { Protocol as LbProtocol, NetworkLoadBalancer, NetworkTargetGroup, TargetType } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GNMI_SLOTS_TOPIC } from '../../collector/gnmi/slot-membership.js';
import { TOPICS } from '../../schemas/topics.js';
import { SECRET_PREFIXES } from '../aws/ssm-secrets.js';
import { gnmiPasswordNames } from '../config/gnmi-schema.js';
import type { ConfigStore } from './config-store.js';
import { accept } from './nag.js';
import { privateSubnets } from './network.js';
import type { CollectorProps } from './props.js';
import { ssmParameterReadStatement } from './ssm-parameter-policy.js';
import { MSK_IAM_PORT, type Streaming } from './streaming.js';

export const BMP_PORT = 11019;
/** What the collector produces to. */
export const COLLECTOR_TOPICS = [TOPICS.routes, TOPICS.sessions, TOPICS.vtepTelemetry] as const;
export const HEALTH_PORT = 8080;
/**
 * The CloudWatch agent image when collector.agentImage is not given, pinned by digest (the tag is kept for the reader;
 * the digest decides). No registry is reachable from here: this digest is the one a running pod of this tag reported
 * (`Image ID`) in a public EKS troubleshooting log, the newest agent digest this project could verify offline. Its EMF
 * listener (TCP 25888) is all the collector uses. To move to a newer agent, give `collector.agentImage` by digest
 * (`crane digest public.ecr.aws/cloudwatch-agent/cloudwatch-agent:<tag>`).
 */
export const DEFAULT_AGENT_IMAGE =
  'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.247360.0b252689@sha256:888fed6f7fb12948ec015ee4bdbbb759f044a569f5d2d49fb4dd0e49e747df31';
const DIGEST = /@sha256:[0-9a-f]{64}$/;
/** The CloudWatch agent's EMF listener inside the task. */
const EMF_AGENT_PORT = 25888;

export class CollectorService extends Construct {
  /** The BMP tasks behind the NLB (they dial no gNMI target). */
  readonly service: FargateService;
  /** The gNMI tasks (none without gNMI targets). */
  readonly gnmiService: FargateService | undefined;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly targetGroup: NetworkTargetGroup;
  readonly cluster: Cluster;

  constructor(
    scope: Construct,
    id: string,
    p: {
      prefix: string;
      vpc: IVpc;
      vpcCidr: string;
      buildRoot: string;
      streaming: Streaming;
      config: ConfigStore;
      collector: CollectorProps;
      retention: RetentionDays;
    },
  ) {
    super(scope, id);
    const c = p.collector;
    this.cluster = new Cluster(this, 'Cluster', { vpc: p.vpc, clusterName: `${p.prefix}collector`, containerInsightsV2: ContainerInsights.ENABLED });

    const logs = new LogGroup(this, 'Logs', { logGroupName: `/ecs/${p.prefix}collector`, retention: p.retention, removalPolicy: RemovalPolicy.DESTROY });
    const metricsLogs = new LogGroup(this, 'MetricsLogs', {
      logGroupName: `/ecs/${p.prefix}collector-metrics`,
      retention: p.retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A tag can be moved to another image; a digest cannot. No digest is looked up at synth (it stays offline): an image
    // given by tag only is warned about.
    const agentImage = c.agentImage ?? DEFAULT_AGENT_IMAGE;
    if (!DIGEST.test(agentImage))
      Annotations.of(this).addWarning(`collector.agentImage: ${agentImage} is pinned by tag; give it by digest (<repository>@sha256:<64 hex>)`);
    /**
     * A task definition: the collector (EVPN_LENS_GNMI_SHARD: `off`, or the `index/count` share of the gNMI targets
     * it dials) and the agent; its role reads the configuration and produces to the topics.
     */
    const makeTask = (taskId: string, gnmi: Record<string, string>, logPrefix: string): FargateTaskDefinition => {
      const task = new FargateTaskDefinition(this, taskId, {
        cpu: c.cpu ?? 1024,
        memoryLimitMiB: c.memoryMiB ?? 2048,
        runtimePlatform: { cpuArchitecture: CpuArchitecture.X86_64, operatingSystemFamily: OperatingSystemFamily.LINUX },
      });
      const collector = task.addContainer('collector', {
        image: ContainerImage.fromAsset(p.buildRoot, { file: 'Dockerfile', platform: Platform.LINUX_AMD64 }),
        essential: true,
        // Names of where things are, no secrets (those come from SSM at start, see runtime-config.ts).
        environment: {
          EVPN_LENS_CONFIG: p.config.location,
          KAFKA_BROKERS: p.streaming.bootstrapBrokers,
          KAFKA_AUTH: 'iam',
          HEALTH_PORT: String(HEALTH_PORT),
          EMF_AGENT_ENDPOINT: `tcp://127.0.0.1:${EMF_AGENT_PORT}`,
          EMF_LOG_GROUP: metricsLogs.logGroupName,
          ...gnmi,
        },
        logging: new AwsLogDriver({ logGroup: logs, streamPrefix: logPrefix }),
        portMappings: [
          { containerPort: BMP_PORT, protocol: Protocol.TCP },
          { containerPort: HEALTH_PORT, protocol: Protocol.TCP },
        ],
        healthCheck: {
          command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${HEALTH_PORT}/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          startPeriod: Duration.seconds(30),
          retries: 3,
        },
        stopTimeout: Duration.seconds(30),
      });
      const agent = task.addContainer('cloudwatch-agent', {
        image: ContainerImage.fromRegistry(c.agentImage ?? DEFAULT_AGENT_IMAGE),
        essential: false,
        environment: { CW_CONFIG_CONTENT: JSON.stringify({ logs: { metrics_collected: { emf: { service_address: `tcp://127.0.0.1:${EMF_AGENT_PORT}` } } } }) },
        logging: new AwsLogDriver({ logGroup: logs, streamPrefix: 'cloudwatch-agent' }),
      });
      collector.addContainerDependencies({ container: agent });
      accept(task.obtainExecutionRole(), {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'ECS task execution role: ecr:GetAuthorizationToken takes no resource-level permissions (the image pull itself is scoped to the repository).',
      });
      accept(task, {
        id: 'AwsSolutions-ECS2',
        reason: 'The environment holds locations (configuration parameter, brokers, ports), no secrets: secrets are SSM SecureString references read at start.',
      });

      // The task role: its configuration (and the parameters it refers to), the gNMI passwords it names, producing to
      // the event topics, and the agent's metric log group.
      p.config.grantRead(task.taskRole);
      const passwords = gnmiPasswordNames(p.config.config.collector.gnmi);
      if (passwords.length > 0) task.taskRole.addToPrincipalPolicy(ssmParameterReadStatement(this, SECRET_PREFIXES.gnmi.default, passwords));
      p.streaming.grantProduce(task.taskRole, [...COLLECTOR_TOPICS]);
      metricsLogs.grantWrite(task.taskRole);
      task.taskRole.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['logs:DescribeLogStreams', 'logs:DescribeLogGroups'], resources: [metricsLogs.logGroupArn] }),
      );
      return task;
    };
    // The BMP tasks scale on CPU and dial no gNMI target: a target is dialled by its shard's task only (below).
    const task = makeTask('Task', { EVPN_LENS_GNMI_SHARD: 'off' }, 'collector');

    const sg = new SecurityGroup(this, 'TaskSg', { vpc: p.vpc, description: 'evpn-lens collector tasks', allowAllOutbound: false });
    for (const cidr of c.bmpAllowedCidrs) sg.addIngressRule(Peer.ipv4(cidr), Port.tcp(BMP_PORT), `BMP from ${cidr}`);
    sg.addIngressRule(Peer.ipv4(p.vpcCidr), Port.tcp(HEALTH_PORT), 'NLB health checks');
    sg.addIngressRule(Peer.ipv4(p.vpcCidr), Port.tcp(BMP_PORT), 'NLB health checks and BMP through the NLB inside the VPC');
    // Separate ingress/egress rule resources (the two groups refer to each other).
    sg.connections.allowTo(p.streaming.securityGroup, Port.tcp(MSK_IAM_PORT), 'collector to MSK (IAM, TLS)');
    sg.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs (STS, SSM, S3, ECR, CloudWatch) through NAT');
    for (const t of c.gnmiTargets ?? []) sg.addEgressRule(Peer.ipv4(t.cidr), Port.tcp(t.port), `gNMI to ${t.cidr}`);

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: task,
      serviceName: `${p.prefix}collector`,
      desiredCount: c.minTasks ?? 1,
      securityGroups: [sg],
      vpcSubnets: privateSubnets(p.vpc),
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
    });
    // The collector produces from its first BMP session: its topics must exist before a task starts.
    this.service.node.addDependency(p.streaming.topics);

    // gNMI: a service of gnmiTasks tasks that divide the targets among themselves through a Kafka consumer group
    // (collector/gnmi/slot-membership.ts), so that each target has exactly one subscriber. A task that stops leaves
    // the group and one that dies is dropped after the session timeout: its targets move to the others at once,
    // without waiting for ECS to replace it; a deployment's new tasks take their slots over as they join.
    if (p.config.config.collector.gnmi.targets.length > 0) {
      const groupId = `${p.prefix}gnmi-members`;
      const gnmiTask = makeTask('GnmiTask', { EVPN_LENS_GNMI_GROUP: groupId }, 'collector-gnmi');
      p.streaming.grantConnect(gnmiTask.taskRole);
      gnmiTask.taskRole.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [p.streaming.topicArn(GNMI_SLOTS_TOPIC)] }),
      );
      gnmiTask.taskRole.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'], resources: [p.streaming.groupArn(groupId)] }),
      );
      const svc = new FargateService(this, 'Gnmi', {
        cluster: this.cluster,
        taskDefinition: gnmiTask,
        serviceName: `${p.prefix}collector-gnmi`,
        desiredCount: c.gnmiTasks ?? 2,
        securityGroups: [sg],
        vpcSubnets: privateSubnets(p.vpc),
        assignPublicIp: false,
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        circuitBreaker: { rollback: true },
      });
      svc.node.addDependency(p.streaming.topics);
      this.gnmiService = svc;
    }

    this.loadBalancer = new NetworkLoadBalancer(this, 'Nlb', {
      vpc: p.vpc,
      internetFacing: c.internetFacing ?? false,
      vpcSubnets: c.internetFacing ? { subnetType: SubnetType.PUBLIC } : privateSubnets(p.vpc),
      crossZoneEnabled: true,
    });
    // No access logs: an NLB writes them for TLS listeners only, and this one is TCP (the collector logs its sessions).
    accept(this.loadBalancer, {
      id: 'AwsSolutions-ELB2',
      reason: 'An NLB writes access logs for TLS listeners only; this TCP listener would write none. The collector logs each BMP session.',
    });
    this.targetGroup = new NetworkTargetGroup(this, 'Bmp', {
      vpc: p.vpc,
      port: BMP_PORT,
      protocol: LbProtocol.TCP,
      targetType: TargetType.IP,
      preserveClientIp: true,
      // A scaled-in task keeps its sessions this long before the routers are asked to reconnect elsewhere.
      deregistrationDelay: Duration.seconds(300),
      connectionTermination: true,
      healthCheck: {
        protocol: LbProtocol.HTTP,
        port: String(HEALTH_PORT),
        path: '/healthz',
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    this.targetGroup.setAttribute('stickiness.enabled', 'true');
    this.targetGroup.setAttribute('stickiness.type', 'source_ip');
    this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName: 'collector', containerPort: BMP_PORT }));
    this.loadBalancer.addListener('Bmp', { port: BMP_PORT, protocol: LbProtocol.TCP, defaultTargetGroups: [this.targetGroup] });

    const scaling = this.service.autoScaleTaskCount({ minCapacity: c.minTasks ?? 1, maxCapacity: c.maxTasks ?? 4 });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: c.targetCpuPercent ?? 60,
      // Scale-out only: a task scaled in cuts its BMP sessions, and every router on it dumps its whole table again
      // (RFC 7854 §5) to another task. Fewer tasks is a deliberate act (lower minTasks/desired count), not a CPU dip.
      disableScaleIn: true,
      scaleInCooldown: Duration.minutes(10),
      scaleOutCooldown: Duration.minutes(2),
    });
  }
}
