/**
 * What a deployment can be given (README, "Deploying to AWS", lists them with their defaults). The app reads them
 * from `-c props=deploy.json` (this shape as JSON) and `-c config=evpn-lens.yaml`; tests pass them directly.
 */
import type { TopicName } from '../../schemas/topics.js';

export type MskProps =
  /** MSK Serverless (the default): no brokers to size; IAM authentication only. */
  | { mode: 'serverless' }
  /** Provisioned MSK: brokers sized by hand (brokers: a multiple of the AZs). */
  | {
      mode: 'provisioned';
      brokers?: number;
      instanceType?: string;
      /** Each broker's volume at creation (default 500); storage auto scaling grows it up to maxVolumeGiB (default 4×). */
      volumeGiB?: number;
      maxVolumeGiB?: number;
      kafkaVersion?: string;
    }
  /** A cluster that exists (IAM authentication enabled); its security group gets the functions' and collector's rules. */
  | { mode: 'existing'; clusterArn: string; bootstrapBrokers: string; securityGroupId: string };

export type NetworkProps =
  /**
   * A new VPC: private subnets with egress (the MSK event pollers and the collector reach AWS APIs through it).
   * egress: 'nat-per-az' (default: one NAT gateway per AZ, no AZ depends on another's), 'single-nat' (one, cheaper;
   * an AZ outage there cuts every AZ's egress), or 'endpoints' (no NAT: VPC interface endpoints for the AWS APIs
   * used; the alert sinks outside AWS and public gNMI targets are then unreachable).
   */
  | { mode: 'new'; maxAzs?: number; egress?: 'nat-per-az' | 'single-nat' | 'endpoints'; cidr?: string }
  /** An existing VPC, given by attributes (no lookup: synth stays offline). */
  | { mode: 'existing'; vpcId: string; vpcCidr: string; availabilityZones: string[]; privateSubnetIds: string[]; publicSubnetIds?: string[] };

export interface ApiProps {
  /** jwt (default): a JWT authorizer (the issuer below, or a Cognito user pool made here); iam: SigV4 for machine clients. */
  auth?: 'jwt' | 'iam';
  jwt?: { issuer: string; audience: string[] };
  /** Stage throttling: steady requests per second and burst. */
  throttle?: { rate: number; burst: number };
}

export interface CollectorProps {
  /** Fargate task size. */
  cpu?: number;
  memoryMiB?: number;
  /** Auto scaling on CPU between these task counts. */
  minTasks?: number;
  maxTasks?: number;
  targetCpuPercent?: number;
  /** Who may open BMP sessions (TCP 11019 through the NLB; the client address is preserved). */
  bmpAllowedCidrs: string[];
  /**
   * gNMI tasks (default 2): one service whose tasks divide collector.gnmi.targets among themselves through a Kafka
   * consumer group, each target dialled by exactly one; the BMP tasks dial none.
   */
  gnmiTasks?: number;
  /** gNMI targets the tasks may dial (egress). */
  gnmiTargets?: { cidr: string; port: number }[];
  /** An internet-facing NLB (default internal: routers reach the VPC over Direct Connect or VPN). */
  internetFacing?: boolean;
  /**
   * The CloudWatch agent sidecar's image, pinned by digest (`…@sha256:<64 hex>`). Default: the tag the README names,
   * with a synth warning (a tag can be moved; a digest cannot).
   */
  agentImage?: string;
}

export interface ConsumerOverrides {
  batchSize?: number;
  batchingWindowSeconds?: number;
  pollers?: { min: number; max: number };
}

export interface EvpnLensProps {
  /** The evpn-lens YAML (the same file as the local stack), validated at synth by the same schema. */
  configFile: string;
  /** Where the bundles (`npm run build`) and the Dockerfile are; default the repository root. */
  buildRoot?: string;
  network?: NetworkProps;
  msk?: MskProps;
  /** Partitions per topic (default the configuration's kafka.partitions). */
  partitions?: Partial<Record<TopicName | string, number>>;
  /** Hours each topic keeps its records (retention.ms; defaults in DEFAULT_RETENTION_HOURS, README sizes them). */
  retentionHours?: Partial<Record<TopicName | string, number>>;
  /**
   * The provisioned poller group all event source mappings join, sharing event poller units (default
   * `<tablePrefix>pollers`); false: each mapping its own pollers.
   */
  pollerGroup?: string | false;
  /** Per function id: event source mapping sizes (infra/catalog/functions.ts has the defaults). */
  consumers?: Record<string, ConsumerOverrides>;
  /** Reserve one concurrent execution per partition for each consumer (default true; new accounts may lack the quota). */
  reservedConcurrency?: boolean;
  api?: ApiProps;
  collector: CollectorProps;
  /** Alarms notify this address (an SNS subscription), if given. */
  alarmEmail?: string;
  /** Records behind (ESM OffsetLag) that raise the lag alarm. */
  lagAlarmRecords?: number;
  /** Days kept in the CloudWatch log groups. */
  logRetentionDays?: number;
}
