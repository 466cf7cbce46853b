import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { GNMI_SLOTS, GNMI_SLOTS_TOPIC } from '../../../../collector/gnmi/slot-membership.js';
import type { MskHandler } from '../../../../functions/shared/msk.js';
import { METRICS_NAMESPACE } from '../../../../infra/aws/metrics-namespace.js';
import { REPO_ROOT } from '../../../../infra/build/bundle.js';
import { consumerGroupId } from '../../../../infra/catalog/consumers.js';
import { createFunctionContext } from '../../../../infra/catalog/context.js';
import { FUNCTIONS, type FunctionSpec } from '../../../../infra/catalog/functions.js';
import { SCHEDULES, type ScheduledTask } from '../../../../infra/catalog/schedules.js';
import { ConfigError } from '../../../../infra/config/errors.js';
import { namedSinks, resolveSinks } from '../../../../infra/config/sinks.js';
import { localMappings } from '../../../../infra/local/stack.js';
import { TABLES } from '../../../../schemas/tables/index.js';
import { ALL_TOPICS, TOPICS } from '../../../../schemas/topics.js';
import { configFile, type Deployment, EXAMPLE_CONFIG, synthDeployment, testBuildRoot } from '../../../support/cdk-deployment.js';

type Resources = Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string[] }>;

let main: Deployment;
let template: Template;
let resources: Resources;
/** The example configuration with two alert sinks (main has none): one notifier function and mapping per sink. */
let withSinks: Deployment;
const SINKS_YAML = `
alerts:
  sinks:
    - { name: noc-am, type: alertmanager, url: "http://alertmanager.noc.example:9093", secretEnv: EVPN_LENS_AM_TOKEN }
    - { name: chat, type: slack, urlEnv: EVPN_LENS_SLACK_URL }
`;
/** The collector block a deployable file needs (the BMP listener off loopback, on the NLB's port). */
const DEPLOYABLE_BMP = 'collector:\n  bmp: { listen: 0.0.0.0:11019, allow: [10.0.0.0/8] }\n';
const ofType = (type: string, r: Resources = resources) => Object.entries(r).filter(([, v]) => v.Type === type);
/** Our functions (not aws-cdk-lib's helpers): named with the configuration's prefix. */
const ourFunctions = (r: Resources = resources) =>
  ofType('AWS::Lambda::Function', r).filter(([, v]) => typeof v.Properties?.FunctionName === 'string' && v.Properties.FunctionName.startsWith('evpn-lens-'));
const fnNamed = (name: string, r: Resources = resources) => ourFunctions(r).find(([, v]) => v.Properties!.FunctionName === name);

beforeAll(async () => {
  main = await synthDeployment();
  template = Template.fromStack(main.stack);
  resources = template.toJSON().Resources;
  withSinks = await synthDeployment({ configFile: configFile(readFileSync(EXAMPLE_CONFIG, 'utf8') + SINKS_YAML) });
}, 180_000);

/** What a deployment's configuration makes of the catalog: function names, per-sink rows once per sink. */
function expectedFunctions(d: Deployment) {
  const sinks = namedSinks(d.stack.config.config);
  const fns = FUNCTIONS.flatMap((f): { f: FunctionSpec; name: string; sink?: string }[] =>
    f.perSink ? sinks.map((s) => ({ f, name: `${f.id}-${s.name}`, sink: s.name })) : [{ f, name: f.id }],
  );
  const tasks = SCHEDULES.filter((t) => t.only !== 'local').flatMap((t): { t: ScheduledTask; name: string; sink?: string }[] => {
    const types = t.sinks;
    return types ? sinks.filter((s) => types.includes(s.settings.type)).map((s) => ({ t, name: `${t.id}-${s.name}`, sink: s.name })) : [{ t, name: t.id }];
  });
  return { sinks, fns, tasks };
}

describe('every function is deployed', () => {
  it('has a catalog row for every function folder and every factory functions/*/handler.ts exports', async () => {
    const folders = readdirSync(join(REPO_ROOT, 'functions'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .map((d) => d.name);
    expect(folders.length).toBeGreaterThan(0);
    // A folder is a function once it has its handler.ts.
    const functionFolders = folders.filter((folder) => existsSync(join(REPO_ROOT, 'functions', folder, 'handler.ts')));
    expect(functionFolders).toContain('mac-index');
    for (const folder of functionFolders) {
      expect(
        FUNCTIONS.map((f) => f.source),
        `functions/${folder} has no row in infra/catalog/functions.ts`,
      ).toContain(`functions/${folder}`);
      const file = join(REPO_ROOT, 'functions', folder, 'handler.ts');
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value !== 'function' || !/^create\w*/.test(name)) continue;
        expect(
          FUNCTIONS.some((f) => f.factory === value),
          `functions/${folder}/handler.ts exports ${name}, which no row of infra/catalog/functions.ts deploys`,
        ).toBe(true);
      }
    }
  });

  it('deploys a Lambda function from its own bundle for every catalog row and every scheduled task (per-sink rows once per sink)', () => {
    for (const d of [main, withSinks]) {
      const r = Template.fromStack(d.stack).toJSON().Resources as Resources;
      const { sinks, fns, tasks } = expectedFunctions(d);
      for (const { f, name, sink } of fns) {
        const [, fn] = fnNamed(`evpn-lens-${name}`, r) ?? [];
        expect(fn, name).toBeDefined();
        expect(fn!.Properties!.Handler).toBe('index.handler');
        expect(fn!.Properties!.Environment.Variables.EVPN_LENS_SINK).toBe(sink);
        expect(existsSync(join(REPO_ROOT, f.entry)), f.entry).toBe(true);
      }
      // A per-sink row is deployed exactly when the configuration has sinks: none at all without.
      for (const f of FUNCTIONS.filter((x) => x.perSink)) {
        const deployed = ourFunctions(r).filter(([, v]) => v.Properties!.FunctionName.startsWith(`evpn-lens-${f.id}`));
        expect(deployed.length, f.id).toBe(sinks.length);
      }
      for (const { t, name, sink } of tasks) {
        const [logicalId, fn] = fnNamed(`evpn-lens-task-${name}`, r) ?? [];
        expect(fn?.Properties?.Environment.Variables.EVPN_LENS_TASK, name).toBe(t.id);
        expect(fn!.Properties!.Environment.Variables.EVPN_LENS_SINK).toBe(sink);
        Template.fromStack(d.stack).hasResourceProperties('AWS::Scheduler::Schedule', {
          Name: `evpn-lens-${name}`,
          ScheduleExpression: 'rate(1 minute)',
          Target: Match.objectLike({
            Arn: { 'Fn::GetAtt': [logicalId, 'Arn'] },
            DeadLetterConfig: Match.anyValue(),
            RetryPolicy: { MaximumEventAgeInSeconds: 120, MaximumRetryAttempts: 2 },
          }),
        });
      }
    }
    expect(expectedFunctions(main).sinks).toEqual([]);
    expect(
      expectedFunctions(withSinks)
        .fns.filter((x) => x.sink)
        .map((x) => x.name),
    ).toEqual(['notify-noc-am', 'notify-chat']);
    expect(
      expectedFunctions(withSinks)
        .tasks.filter((x) => x.sink)
        .map((x) => x.name),
    ).toEqual(['notify-resend-noc-am']);
  });

  it('runs every function on Node.js 24 (arm64), with the configuration location and source maps in its environment', () => {
    const fns = ourFunctions();
    const { fns: rows, tasks } = expectedFunctions(main);
    expect(fns.length).toBe(rows.length + tasks.length + 1); // + the topics function
    const sinkRows = expectedFunctions(withSinks);
    expect(ourFunctions(Template.fromStack(withSinks.stack).toJSON().Resources).length).toBe(sinkRows.fns.length + sinkRows.tasks.length + 1);
    for (const [, fn] of fns) {
      expect(fn.Properties!.Runtime, fn.Properties!.FunctionName).toBe('nodejs24.x');
      expect(fn.Properties!.Architectures).toEqual(['arm64']);
      if (fn.Properties!.FunctionName !== 'evpn-lens-kafka-topics') expect(fn.Properties!.Environment.Variables.EVPN_LENS_CONFIG).toMatch(/^ssm:\//);
      expect(fn.Properties!.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    // aws-cdk-lib's own helper functions run a current runtime too.
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties!.Runtime).toMatch(/^(nodejs2[2-9]\.x|python3\.1[1-9])$/);
  });
});

describe('MSK event source mappings', () => {
  it('consumes each topic of each consumer in provisioned poller mode, reporting partial failures, retrying for ever with no destination', () => {
    for (const d of [main, withSinks]) {
      const t = Template.fromStack(d.stack);
      const r = t.toJSON().Resources as Resources;
      const consumers = expectedFunctions(d).fns.filter(({ f }) => f.consumes);
      expect(consumers.map(({ name }) => name)).toContain('mac-index');
      for (const { f, name } of consumers) {
        const c = f.consumes!;
        const [fnLogicalId] = fnNamed(`evpn-lens-${name}`, r)!;
        for (const topic of c.topics) {
          t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
            FunctionName: { 'Fn::GetAtt': [fnLogicalId, 'Arn'] },
            EventSourceArn: Match.anyValue(),
            Topics: [topic],
            StartingPosition: c.startingPosition,
            BatchSize: c.batchSize,
            MaximumBatchingWindowInSeconds: c.batchingWindowSeconds,
            AmazonManagedKafkaEventSourceConfig: {
              ConsumerGroupId: consumerGroupId('evpn-lens-', name, topic, c.startingPosition),
            },
            ProvisionedPollerConfig: { MinimumPollers: c.pollers.min, MaximumPollers: c.pollers.max },
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            BisectBatchOnFunctionError: true,
            MaximumRetryAttempts: -1,
            MaximumRecordAgeInSeconds: -1,
            DestinationConfig: Match.absent(),
          });
        }
      }
      // One mapping per consumed topic of each deployed consumer, nothing else.
      expect(Object.keys(t.findResources('AWS::Lambda::EventSourceMapping')).length).toBe(consumers.reduce((n, { f }) => n + f.consumes!.topics.length, 0));
    }
  });

  it('reserves one concurrent execution per consumed partition', () => {
    const [, fn] = fnNamed('evpn-lens-mac-index')!;
    // Routes and sessions, 12 partitions each.
    expect(fn.Properties!.ReservedConcurrentExecutions).toBe(24);
    expect(fnNamed('evpn-lens-api')![1].Properties!.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('gives a bounded consumer N retries and its Kafka failure topic, which is created with the others', async () => {
    const bounded: FunctionSpec = {
      ...FUNCTIONS.find((f) => f.id === 'mac-index')!,
      id: 'notify-probe',
      consumes: {
        ...FUNCTIONS.find((f) => f.id === 'mac-index')!.consumes!,
        topics: [TOPICS.alerts],
        delivery: { kind: 'bounded', maxRetries: 5, onFailureTopic: 'evpn.alerts.v1.failed' },
      },
    };
    const buildRoot = await testBuildRoot();
    cpSync(join(buildRoot, 'dist/lambda/mac-index'), join(buildRoot, 'dist/lambda/notify-probe'), { recursive: true });
    const d = await synthDeployment({ functions: [...FUNCTIONS, bounded] });
    const t = Template.fromStack(d.stack);

    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: [TOPICS.alerts],
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: 'kafka://evpn.alerts.v1.failed' } },
    });
    t.hasResourceProperties('Custom::EvpnLensKafkaTopics', { Topics: Match.arrayWith([Match.objectLike({ name: 'evpn.alerts.v1.failed', partitions: 12 })]) });
  });
});

describe('one source of truth for consumers', () => {
  /** What the local stack's runner would consume for a deployment's configuration: (function, topic, group, start). */
  const localSet = (d: Deployment) => {
    const cfg = d.stack.config.config;
    const sinks = resolveSinks(cfg, { EVPN_LENS_AM_TOKEN: 't', EVPN_LENS_SLACK_URL: 'https://hooks.slack.example/x' });
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' }));
    const fns = createFunctionContext({ cfg, ddb, logger: pino({ level: 'silent' }), sinks });
    const byHandler = new Map<unknown, string>();
    const wrap = (fnId: string, h: MskHandler) => {
      byHandler.set(h, fnId);
      return h;
    };
    return localMappings(cfg, fns, wrap)
      .map((m) => [byHandler.get(m.handler), m.topics.join(','), `${cfg.dynamodb.tablePrefix}${m.name}`, m.startingPosition].join(' '))
      .sort();
  };
  /** The synthesized AWS::Lambda::EventSourceMapping resources as the same tuples. */
  const awsSet = (d: Deployment) => {
    const r = Template.fromStack(d.stack).toJSON().Resources as Resources;
    return ofType('AWS::Lambda::EventSourceMapping', r)
      .map(([, m]) => {
        const p = m.Properties!;
        const fnName = r[p.FunctionName['Fn::GetAtt'][0]]!.Properties!.FunctionName as string;
        return [fnName.slice('evpn-lens-'.length), p.Topics.join(','), p.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId, p.StartingPosition].join(' ');
      })
      .sort();
  };

  it('runs locally exactly the event source mappings the CDK app deploys (function, topic, group, starting position)', () => {
    for (const d of [main, withSinks]) {
      const local = localSet(d);
      expect(local.length).toBeGreaterThan(0);
      expect(local).toEqual(awsSet(d));
    }
    expect(localSet(withSinks).filter((x) => x.startsWith('notify-'))).toHaveLength(2);
  });

  it('feeds the MAC index the sessions topic too on AWS (finding 1: RESYNC_COMPLETE withdraws the paths a router lost)', () => {
    const macIndex = awsSet(main).filter((x) => x.startsWith('mac-index '));
    expect(macIndex.map((x) => x.split(' ')[1])).toEqual([TOPICS.routes, TOPICS.sessions].sort());
  });

  it('gives every mapping a consumer group of its own that changes with every property CloudFormation replaces a mapping for (finding 8)', () => {
    const groups = awsSet(withSinks).map((x) => x.split(' ')[2]);
    expect(new Set(groups).size).toBe(groups.length);
    // Topic and starting position force a replacement (created before the old one is deleted): a new ID each.
    expect(consumerGroupId('p-', 'f', 'a', 'TRIM_HORIZON')).not.toBe(consumerGroupId('p-', 'f', 'b', 'TRIM_HORIZON'));
    expect(consumerGroupId('p-', 'f', 'a', 'TRIM_HORIZON')).not.toBe(consumerGroupId('p-', 'f', 'a', 'LATEST'));
    // Within the pattern and length Lambda takes ([a-zA-Z0-9-/*:_+=.@-]{1,200}).
    for (const g of groups) expect(g).toMatch(/^[a-zA-Z0-9\-/*:_+=.@]{1,200}$/);
  });
});

describe('alert notifier per sink', () => {
  const stmts = (d: Deployment, roleHint: string) =>
    ofType('AWS::IAM::Policy', Template.fromStack(d.stack).toJSON().Resources)
      .filter(([id]) => id.startsWith(roleHint))
      .flatMap(([, v]) => v.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  const withAction = (ss: ReturnType<typeof stmts>, prefix: string) => ss.filter((x) => [x.Action].flat().some((a) => a.startsWith(prefix)));

  it('deploys no notifier without sinks, one function with its own mapping and consumer group per sink with them', () => {
    expect(ourFunctions().filter(([, v]) => v.Properties!.FunctionName.startsWith('evpn-lens-notify'))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::Lambda::EventSourceMapping'))).not.toContain('notify');
    const t = Template.fromStack(withSinks.stack);
    const r = t.toJSON().Resources as Resources;
    for (const sink of ['noc-am', 'chat']) {
      const [logicalId, fn] = fnNamed(`evpn-lens-notify-${sink}`, r)!;
      expect(fn.Properties!.Environment.Variables).toMatchObject({ EVPN_LENS_SINK: sink, KAFKA_AUTH: 'iam' });
      expect(fn.Properties!.VpcConfig.SecurityGroupIds).toHaveLength(1);
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { 'Fn::GetAtt': [logicalId, 'Arn'] },
        Topics: [TOPICS.alerts],
        StartingPosition: 'LATEST',
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `evpn-lens-notify-${sink}.${TOPICS.alerts}.latest` },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 1 },
        DestinationConfig: Match.absent(),
      });
    }
    // Dead letters go to evpn.alerts.dlq.v1, created with the other topics.
    t.hasResourceProperties('Custom::EvpnLensKafkaTopics', { Topics: Match.arrayWith([Match.objectLike({ name: TOPICS.alertsDeadLetter, partitions: 12 })]) });
  });

  it("grants each notifier its own sink's SSM parameters, the dead-letter topic to write, alerts to read and the index table to read, nothing more", () => {
    const param = (n: string) => `:parameter/evpn-lens/sinks/${n}`;
    for (const [hint, own, other] of [
      ['FunctionsnotifynocamRole', 'EVPN_LENS_AM_TOKEN', 'EVPN_LENS_SLACK_URL'],
      ['FunctionsnotifychatRole', 'EVPN_LENS_SLACK_URL', 'EVPN_LENS_AM_TOKEN'],
      ['FunctionstasknotifyresendnocamRole', 'EVPN_LENS_AM_TOKEN', 'EVPN_LENS_SLACK_URL'],
    ] as const) {
      const ss = stmts(withSinks, hint);
      expect(ss.length, hint).toBeGreaterThan(0);
      const ssm = withAction(ss, 'ssm:');
      // The configuration is in S3 here (over 4 KB), so the only SSM grant is the sink's own parameter.
      expect(ssm.flatMap((x) => [x.Action].flat())).toEqual(['ssm:GetParameter']);
      expect([ssm[0]!.Resource].flat()).toHaveLength(1);
      expect(JSON.stringify(ssm)).toContain(param(own));
      expect(JSON.stringify(ss)).not.toContain(other);
      const dynamo = withAction(ss, 'dynamodb:');
      expect(dynamo.flatMap((x) => [x.Action].flat()).filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
      expect(JSON.stringify(dynamo)).toContain('IndexTablesindex');
      expect(JSON.stringify(dynamo)).not.toContain('IndexTableshealth');
      for (const x of ss) {
        const actions = [x.Action].flat();
        // "*" only for the VPC and MSK poller network-interface calls, which take no resource.
        if ([x.Resource].flat().includes('*'))
          expect(
            actions.every((a) => a.startsWith('ec2:')),
            `${hint} ${actions}`,
          ).toBe(true);
      }
    }
    const notify = stmts(withSinks, 'FunctionsnotifynocamRole');
    const write = withAction(notify, 'kafka-cluster:WriteData').filter((x) => [x.Action].flat().includes('kafka-cluster:WriteData'));
    expect(write).toHaveLength(1);
    expect(JSON.stringify(write[0]!.Resource)).toMatch(new RegExp(`/${TOPICS.alertsDeadLetter.replaceAll('.', '\\.')}"\\]\\]`));
    expect(JSON.stringify(write[0]!.Resource)).not.toContain(`/${TOPICS.alerts}"`);
    const read = notify.filter((x) => [x.Action].flat().includes('kafka-cluster:ReadData'));
    expect(read).toHaveLength(1);
    expect(JSON.stringify(read[0]!.Resource)).toContain(`/${TOPICS.alerts}"`);
    expect(JSON.stringify(notify.filter((x) => [x.Action].flat().includes('kafka-cluster:AlterGroup')))).toContain(
      `/evpn-lens-notify-noc-am.${TOPICS.alerts}.latest"`,
    );
    // The re-send task neither reads nor writes Kafka.
    expect(withAction(stmts(withSinks, 'FunctionstasknotifyresendnocamRole'), 'kafka')).toEqual([]);
  });

  it("lets a notifier out on HTTPS and its sink URL's port only (plus MSK when it produces)", () => {
    const t = Template.fromStack(withSinks.stack);
    const egress = (description: string) => {
      const groups = Object.values(t.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: description } }));
      expect(groups, description).toHaveLength(1);
      return (groups[0]!.Properties.SecurityGroupEgress as { CidrIp: string; IpProtocol: string; FromPort: number; ToPort: number }[]).map(
        (e) => `${e.IpProtocol} ${e.CidrIp} ${e.FromPort}-${e.ToPort}`,
      );
    };
    expect(egress('evpn-lens notify-noc-am')).toEqual(['tcp 0.0.0.0/0 443-443', 'tcp 0.0.0.0/0 9093-9093']);
    expect(egress('evpn-lens task-notify-resend-noc-am')).toEqual(['tcp 0.0.0.0/0 443-443', 'tcp 0.0.0.0/0 9093-9093']);
    // A URL read from SSM (urlEnv) is unknown at synth: HTTPS only.
    expect(egress('evpn-lens notify-chat')).toEqual(['tcp 0.0.0.0/0 443-443']);
    const [notifySg] = Object.keys(t.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: 'evpn-lens notify-chat' } }));
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [notifySg, 'GroupId'] },
      FromPort: 9098,
      ToPort: 9098,
      DestinationSecurityGroupId: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: { 'Fn::GetAtt': [notifySg, 'GroupId'] }, FromPort: 9098 });
  });

  it('stops the synthesis when a sink name makes a function name longer than Lambda takes', async () => {
    const long = 'x'.repeat(60);
    await expect(
      synthDeployment({
        configFile: configFile(`${DEPLOYABLE_BMP}alerts:\n  sinks:\n    - { name: ${long}, type: webhook, url: "https://h.example/" }\n`),
      }),
    ).rejects.toThrow(`evpn-lens-notify-${long}: longer than the 64 characters of a Lambda function name (shorten alerts.sinks[0].name)`);
  });
});

describe('streaming', () => {
  it('creates an MSK Serverless cluster with IAM authentication and every topic with its partition count', () => {
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } });
    template.hasResourceProperties('Custom::EvpnLensKafkaTopics', { Topics: ALL_TOPICS.map((name) => ({ name, partitions: 12 })), ReplicationFactor: -1 });
  });

  it('builds a provisioned cluster (IAM only, TLS in transit, broker logs) or uses an existing one', async () => {
    const provisioned = Template.fromStack((await synthDeployment({ msk: { mode: 'provisioned', brokers: 3 }, partitions: { [TOPICS.routes]: 48 } })).stack);
    provisioned.hasResourceProperties('AWS::MSK::Cluster', {
      NumberOfBrokerNodes: 3,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: Match.objectLike({ Enabled: true }) } },
    });
    provisioned.hasResourceProperties('Custom::EvpnLensKafkaTopics', { Topics: Match.arrayWith([Match.objectLike({ name: TOPICS.routes, partitions: 48 })]) });
    expect(
      Object.values(provisioned.findResources('AWS::Lambda::Function')).find((f) => f.Properties.FunctionName === 'evpn-lens-mac-index')?.Properties
        .ReservedConcurrentExecutions,
    ).toBe(48 + 12); // routes at 48 partitions, sessions at the default 12

    const arn = 'arn:aws:kafka:eu-west-1:111122223333:cluster/prod/0a1b2c3d-1111-2222-3333-444455556666-1';
    const existing = Template.fromStack(
      (await synthDeployment({ msk: { mode: 'existing', clusterArn: arn, bootstrapBrokers: 'b-1.prod:9098', securityGroupId: 'sg-0123456789abcdef0' } })).stack,
    );
    expect(existing.findResources('AWS::MSK::ServerlessCluster')).toEqual({});
    expect(existing.findResources('AWS::MSK::Cluster')).toEqual({});
    existing.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: arn });
    existing.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { GroupId: 'sg-0123456789abcdef0', FromPort: 9098 });
  });
});

describe('IAM: least privilege', () => {
  /** Actions that take no resource-level permissions, so "*" is the only resource they accept. */
  const NO_RESOURCE_LEVEL = new Set([
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DeleteNetworkInterface',
    'ec2:DescribeSubnets',
    'ec2:DescribeVpcs',
    'ec2:DescribeSecurityGroups',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
    'ecr:GetAuthorizationToken',
    'cloudfront:CreateInvalidation',
    'cloudfront:GetInvalidation',
  ]);
  const statements = (r: Resources) =>
    [...ofType('AWS::IAM::Policy', r), ...ofType('AWS::IAM::Role', r)].flatMap(([id, v]) => {
      const docs = v.Type === 'AWS::IAM::Policy' ? [v.Properties!.PolicyDocument] : (v.Properties!.Policies ?? []).map((p: any) => p.PolicyDocument);
      return docs.flatMap((d: any) => d.Statement.map((s: any) => ({ id, ...s })));
    });

  it('uses the "*" resource only for actions that take no resource-level permissions', async () => {
    const variants = [
      resources,
      Template.fromStack(withSinks.stack).toJSON().Resources,
      Template.fromStack((await synthDeployment({ msk: { mode: 'provisioned' }, api: { auth: 'iam' } })).stack).toJSON().Resources,
    ];
    for (const r of variants) {
      for (const s of statements(r)) {
        const res = [s.Resource].flat();
        if (!res.includes('*')) continue;
        for (const a of [s.Action].flat()) expect(NO_RESOURCE_LEVEL.has(a), `${s.id}: ${a} on "*"`).toBe(true);
      }
    }
  });

  it('grants the consumer its topic, its consumer group and its table with named indexes; the API only reads', () => {
    const of = (roleHint: string) => statements(resources).filter((s) => s.id.includes(roleHint));
    const mac = of('macindexRole');
    const dynamo = mac.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))!;
    const index = TABLES.find((t) => t.id === 'index')!;
    expect(dynamo.Resource).toHaveLength(1 + index.globalIndexes.length);
    expect(JSON.stringify(dynamo.Resource)).not.toContain('index/*');
    const read = mac.find((s) => [s.Action].flat().includes('kafka-cluster:ReadData'))!;
    expect(JSON.stringify(read.Resource)).toContain(`/${TOPICS.routes}`);
    expect(JSON.stringify(read.Resource)).toContain(`/${TOPICS.sessions}`);
    expect([read.Resource].flat()).toHaveLength(2);
    const group = mac.find((s) => [s.Action].flat().includes('kafka-cluster:AlterGroup'))!;
    expect(JSON.stringify(group.Resource)).toContain(consumerGroupId('evpn-lens-', 'mac-index', TOPICS.routes, 'TRIM_HORIZON'));
    const write = mac.find((s) => [s.Action].flat().includes('kafka-cluster:WriteData'))!;
    expect(JSON.stringify(write.Resource)).toContain(`/${TOPICS.alerts}`);

    const api = of('FunctionsapiRole').flatMap((s) => [s.Action].flat());
    expect(api).toContain('dynamodb:Query');
    expect(api.filter((a) => a.startsWith('dynamodb:') && /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(api.filter((a) => a.startsWith('kafka'))).toEqual([]);
  });
});

describe('configuration', () => {
  it('stores the validated YAML in an SSM parameter that every function and the collector may read', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/Deploy/config',
      Type: 'String',
      Value: readFileSync(join(REPO_ROOT, 'examples/evpn-lens.yaml'), 'utf8'),
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies.match(/"ssm:GetParameter"/g)?.length ?? 0).toBeGreaterThanOrEqual(FUNCTIONS.length + 1);
  });

  it('stops the synthesis on a bad file with the bad key named', async () => {
    await expect(synthDeployment({ configFile: configFile('macIndex:\n  flap: { moves: 1 }\n') })).rejects.toThrow(ConfigError);
    await expect(synthDeployment({ configFile: configFile('fabriks: []\n') })).rejects.toThrow(/unknown key "fabriks"/);
  });

  it('puts a file too large for a standard parameter in S3, and grants exactly the secret parameters it refers to', async () => {
    const ref = (n: string) => `\${ssm:${n}}`;
    const fabrics = Array.from({ length: 120 }, (_, i) => `  - name: dc${i}\n    match: { addresses: [10.${i}.0.0/16] }\n`).join('');
    const d = await synthDeployment({ configFile: configFile(`${DEPLOYABLE_BMP}  id: "${ref('/evpn-lens/collector-id')}"\nfabrics:\n${fabrics}`) });
    const t = Template.fromStack(d.stack);

    expect(t.findResources('AWS::SSM::Parameter')).toEqual({});
    const env = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.FunctionName === 'evpn-lens-api')!.Properties.Environment
      .Variables;
    expect(JSON.stringify(env.EVPN_LENS_CONFIG)).toMatch(/s3:\/\//);
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('parameter/evpn-lens/collector-id');
    // That one object of the assets bucket, not the bucket (Asset.grantRead's GetObject*, List* on bucket/*).
    expect(policies).toMatch(
      /"Action":"s3:GetObject","Effect":"Allow","Resource":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":s3:::",\{"Fn::Sub":"cdk-[^"]+"\},"\/[0-9a-f]{64}\.yaml"\]\]\}/,
    );
    const ours = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => /^(Functions|Collector)/.test(id));
    expect(ours.length).toBeGreaterThan(0);
    expect(JSON.stringify(ours)).not.toMatch(/s3:List|s3:GetObject\*|s3:GetBucket/);
  });
});

describe('data', () => {
  it('declares every table on demand, with point-in-time recovery, TTL, encryption and deletion protection', () => {
    const data = Template.fromStack(main.data);
    for (const def of TABLES) {
      data.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          TableName: `evpn-lens-${def.id}`,
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
          TimeToLiveSpecification: def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : Match.absent(),
        }),
      });
    }
  });
});

describe('API and dashboard', () => {
  it('serves the API over an HTTP API with a JWT authorizer, open health checks, throttling and access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/{proxy+}', AuthorizationType: 'JWT' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /healthz', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
  });

  it('takes an existing JWT issuer, or IAM for machine clients', async () => {
    const jwt = Template.fromStack((await synthDeployment({ api: { jwt: { issuer: 'https://idp.example/realms/noc', audience: ['evpn-lens'] } } })).stack);
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { JwtConfiguration: { Issuer: 'https://idp.example/realms/noc', Audience: ['evpn-lens'] } });
    expect(jwt.findResources('AWS::Cognito::UserPool')).toEqual({});
    const iam = Template.fromStack((await synthDeployment({ api: { auth: 'iam', throttle: { rate: 5, burst: 10 } } })).stack);
    iam.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/{proxy+}', AuthorizationType: 'AWS_IAM' });
    iam.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
  });

  it('puts the dashboard files on S3 behind CloudFront with the API behind the same distribution', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        CacheBehaviors: Match.arrayWith([Match.objectLike({ PathPattern: '/v1/*', ViewerProtocolPolicy: 'https-only' })]),
        Origins: Match.arrayWith([Match.objectLike({ OriginAccessControlId: Match.anyValue() })]),
        Logging: Match.anyValue(),
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        DefaultTTL: 0,
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({ HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] } }),
      }),
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketName: Match.anyValue(), DistributionPaths: ['/*'] });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.anyValue(),
    });
  });
});

describe('collector on Fargate', () => {
  it('runs the Dockerfile image behind an NLB on TCP 11019: one router per task by flow and source-IP stickiness, client address kept', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 11019, Protocol: 'TCP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 11019,
      Protocol: 'TCP',
      TargetType: 'ip',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPort: '8080',
      HealthCheckPath: '/healthz',
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'preserve_client_ip.enabled', Value: 'true' },
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'source_ip' },
      ]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
    });
    // An NLB writes access logs for TLS listeners only: on this TCP listener they would be an empty bucket (finding 9).
    expect(JSON.stringify(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))).not.toContain('access_logs');
  });

  it('has health checks, logs, the CloudWatch agent for metrics, egress to MSK, AWS APIs and the gNMI targets, and CPU auto scaling', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({
          Name: 'collector',
          HealthCheck: Match.objectLike({ Command: Match.arrayWith(['CMD', 'node']) }),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
          PortMappings: Match.arrayWith([Match.objectLike({ ContainerPort: 11019 })]),
          Environment: Match.arrayWith([{ Name: 'KAFKA_AUTH', Value: 'iam' }]),
        }),
        Match.objectLike({ Name: 'cloudwatch-agent', Essential: false }),
      ]),
    });
    const env = JSON.stringify(template.findResources('AWS::ECS::TaskDefinition'));
    expect(env).not.toMatch(/password|secret|token/i);
    template.hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'evpn-lens collector tasks',
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '10.1.0.0/16', FromPort: 11019 })]),
      SecurityGroupEgress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 }),
        Match.objectLike({ CidrIp: '10.1.0.0/16', FromPort: 57400 }),
      ]),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      }),
    });
  });
});

describe('collector secrets', () => {
  it('reads gNMI passwords and the SSM references of the file at start: the task role may read exactly those, the template holds no value', async () => {
    const password = 'gnmi-pw-that-must-stay-out-of-the-template';
    const ref = (n: string) => `\${ssm:${n}}`;
    const yaml = readFileSync(EXAMPLE_CONFIG, 'utf8').replace(
      '  # gNMI dial-in:',
      [
        '  gnmi:',
        '    targets:',
        `      - { name: dc1-leaf11, address: "10.1.0.11:57400", fabric: dc1, username: "${ref('/evpn-lens/gnmi-user')}", passwordEnv: LEAF11_PASSWORD }`,
        '  # gNMI dial-in:',
      ].join('\n'),
    );
    expect(yaml).toContain('passwordEnv: LEAF11_PASSWORD }');
    // As if the deploying shell had the password: the app must not copy it anywhere.
    process.env.LEAF11_PASSWORD = password;
    let d: Deployment;
    try {
      d = await synthDeployment({ configFile: configFile(yaml) });
    } finally {
      delete process.env.LEAF11_PASSWORD;
    }
    const t = Template.fromStack(d.stack);
    const whole = JSON.stringify(t.toJSON());
    expect(whole).not.toContain(password);
    const taskDef = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0]!;
    const collector = taskDef.Properties.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'collector');
    expect(collector.Environment.map((e: { Name: string }) => e.Name)).not.toContain('LEAF11_PASSWORD');
    expect(collector.Secrets).toBeUndefined();

    const taskRole = taskDef.Properties.TaskRoleArn['Fn::GetAtt'][0] as string;
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === taskRole));
    const ssm = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((x: { Action: string | string[] }) => [x.Action].flat().some((a) => a.startsWith('ssm:')));
    // One statement for the file's references, one for the passwords; GetParameter only (the file itself is in S3 here).
    expect(ssm.flatMap((x: { Action: string | string[] }) => [x.Action].flat())).toEqual(['ssm:GetParameter', 'ssm:GetParameter']);
    const resources = ssm.flatMap((x: { Resource: unknown }) => [x.Resource].flat()).map((r: unknown) => JSON.stringify(r));
    expect(resources).toHaveLength(2);
    expect(resources.some((r: string) => r.endsWith(':parameter/evpn-lens/gnmi/LEAF11_PASSWORD"]]}'))).toBe(true);
    expect(resources.some((r: string) => r.endsWith(':parameter/evpn-lens/gnmi-user"]]}'))).toBe(true);
  });
});

describe('operations', () => {
  it('alarms on collector down, event-source lag, errors, throttles, stuck partitions and dead letters, and has a dashboard', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName as string);
    expect(names).toEqual(
      expect.arrayContaining([
        'evpn-lens-collector-down',
        `evpn-lens-mac-index-${TOPICS.routes}-lag`,
        `evpn-lens-mac-index-${TOPICS.sessions}-lag`,
        'evpn-lens-mac-index-stuck',
        'evpn-lens-schedule-dead-letters',
        ...expectedFunctions(main).fns.flatMap(({ name }) => [`evpn-lens-${name}-errors`, `evpn-lens-${name}-throttles`]),
      ]),
    );
    const withSinkNames = Object.values(Template.fromStack(withSinks.stack).findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.AlarmName);
    expect(withSinkNames).toEqual(
      expect.arrayContaining(
        ['notify-noc-am', 'notify-chat'].flatMap((n) => ['errors', 'throttles', `${TOPICS.alerts}-lag`, 'stuck'].map((k) => `evpn-lens-${n}-${k}`)),
      ),
    );
    expect(withSinkNames).toContain('evpn-lens-task-notify-resend-noc-am-errors');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `evpn-lens-mac-index-${TOPICS.routes}-lag`,
      MetricName: 'OffsetLag',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'evpn-lens-collector-down', TreatMissingData: 'breaching' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'))).toContain('evpnlens_evpn_routes_total');
  });
});

describe('cdk-nag', () => {
  it('finds nothing in the AWS Solutions pack that is not acknowledged, and every acknowledgment gives its reason', async () => {
    const variant = await synthDeployment({ msk: { mode: 'provisioned' }, api: { auth: 'iam' } });
    for (const d of [main, withSinks, variant]) {
      const report = new AwsSolutionsChecks().validateScope(d.app);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
      for (const c of d.app.node.findAll()) {
        for (const m of c.node.metadata.filter((x) => x.type === 'aws:cdk:acknowledged-rules')) {
          for (const [rule, reason] of Object.entries(m.data as Record<string, string>))
            expect(String(reason).length, `${c.node.path} ${rule}`).toBeGreaterThan(20);
        }
      }
    }
  });
});

/** One test per finding of the AWS review (issue 23); each failed on the template before the fix. */
describe('findings of the AWS review', () => {
  const alarms = (t: Template = template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, any>);

  it('2: gives the collector tasks the gNMI sharding they need (every target dialled by one task only)', async () => {
    const yaml = readFileSync(EXAMPLE_CONFIG, 'utf8').replace(
      '  # gNMI dial-in:',
      [
        '  gnmi:',
        '    targets:',
        ...[11, 12, 13].map((n) => `      - { name: dc1-leaf${n}, address: "10.1.0.${n}:57400", fabric: dc1 }`),
        '  # gNMI dial-in:',
      ].join('\n'),
    );
    const d = await synthDeployment({ configFile: configFile(yaml), collector: { bmpAllowedCidrs: ['10.1.0.0/16'], gnmiTasks: 3, minTasks: 2 } });
    const t = Template.fromStack(d.stack);
    const envOf = (taskDefId: string) =>
      Object.fromEntries(
        t
          .toJSON()
          .Resources[taskDefId].Properties.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'collector')
          .Environment.map((e: { Name: string; Value: unknown }) => [e.Name, e.Value]),
      );
    const services = Object.values(t.findResources('AWS::ECS::Service')).map((x) => {
      const env = envOf(x.Properties.TaskDefinition.Ref);
      return {
        desired: x.Properties.DesiredCount as number,
        nlb: x.Properties.LoadBalancers !== undefined,
        shard: env.EVPN_LENS_GNMI_SHARD,
        group: env.EVPN_LENS_GNMI_GROUP,
      };
    });
    // The BMP service (behind the NLB, scaled on CPU) dials no target; the gNMI tasks divide them through one consumer
    // group over the slots topic (test/integration/gnmi/gnmi-membership.test.ts shows the division with real processes).
    expect(services.filter((x) => x.nlb)).toEqual([{ desired: 2, nlb: true, shard: 'off', group: undefined }]);
    expect(services.filter((x) => !x.nlb)).toEqual([{ desired: 3, nlb: false, shard: undefined, group: 'evpn-lens-gnmi-members' }]);
    t.hasResourceProperties('Custom::EvpnLensKafkaTopics', {
      Topics: Match.arrayWith([{ name: GNMI_SLOTS_TOPIC, partitions: GNMI_SLOTS, retentionMs: 3_600_000 }]),
    });
    // Without gNMI targets: no gNMI service.
    expect(Object.keys(template.findResources('AWS::ECS::Service'))).toHaveLength(1);
  });

  it('3: alarms on the collector dropping events or failing to produce', () => {
    const names = alarms().map((a) => a.AlarmName);
    expect(names).toEqual(expect.arrayContaining(['evpn-lens-collector-drops', 'evpn-lens-collector-produce-errors']));
    const drops = alarms().find((a) => a.AlarmName === 'evpn-lens-collector-drops')!;
    expect(JSON.stringify(drops.Metrics)).toContain('evpnlens_kafka_events_dropped_total');
  });

  it('4: sets a retention on every topic (configurable) and grows provisioned broker storage before it fills', async () => {
    const topics = Object.values(template.findResources('Custom::EvpnLensKafkaTopics'))[0]!.Properties.Topics as { name: string; retentionMs: number }[];
    for (const t of topics) expect(t.retentionMs, t.name).toBeGreaterThan(0);
    expect(topics.find((t) => t.name === TOPICS.routes)!.retentionMs).toBe(48 * 3_600_000);
    const d = await synthDeployment({ msk: { mode: 'provisioned', brokers: 3, volumeGiB: 200 }, retentionHours: { [TOPICS.routes]: 12 } });
    const t = Template.fromStack(d.stack);
    t.hasResourceProperties('Custom::EvpnLensKafkaTopics', { Topics: Match.arrayWith([{ name: TOPICS.routes, partitions: 12, retentionMs: 12 * 3_600_000 }]) });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'kafka',
      ScalableDimension: 'kafka:broker-storage:VolumeSize',
      MinCapacity: 200,
      MaxCapacity: 800,
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'KafkaBrokerStorageUtilization' },
        DisableScaleIn: true,
      }),
    });
  });

  it('5: lets the MSK pollers into an existing cluster through its own security group', async () => {
    const d = await synthDeployment({
      msk: {
        mode: 'existing',
        clusterArn: 'arn:aws:kafka:eu-west-1:111122223333:cluster/prod/0a1b2c3d-1234',
        bootstrapBrokers: 'b-1:9098',
        securityGroupId: 'sg-0existing',
      },
    });
    Template.fromStack(d.stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0existing',
      SourceSecurityGroupId: 'sg-0existing',
      FromPort: 9098,
      ToPort: 9098,
    });
  });

  it('6: uses no Minimum over a per-invocation metric: the stuck-partition alarm fires for one failing partition', () => {
    const ours = alarms().filter((a) => a.Namespace === METRICS_NAMESPACE);
    expect(ours.length).toBeGreaterThan(0);
    for (const a of ours) expect(a.Statistic, a.AlarmName).not.toBe('Minimum');
    const stuck = alarms().find((a) => a.AlarmName === 'evpn-lens-mac-index-stuck')!;
    expect(stuck).toMatchObject({ MetricName: 'FailedPartitions', Statistic: 'Sum', Threshold: 0, EvaluationPeriods: 3 });
  });

  it('7: runs a scheduled task one at a time, its failures to a destination that is alarmed on', () => {
    const r = resources;
    const [queueId] = ofType('AWS::SQS::Queue').find(([, q]) => q.Properties?.QueueName === 'evpn-lens-schedule-dead-letters')!;
    for (const { name } of expectedFunctions(main).tasks) {
      const [logicalId, fn] = fnNamed(`evpn-lens-task-${name}`, r)!;
      expect(fn.Properties!.ReservedConcurrentExecutions, name).toBe(1);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
    }
    const dl = alarms().find((a) => a.AlarmName === 'evpn-lens-schedule-dead-letters')!;
    expect(JSON.stringify(dl.Dimensions)).toContain(queueId);
  });

  it('9: puts every mapping in one poller group, with a lag alarm of its own', () => {
    for (const d of [main, withSinks]) {
      const t = Template.fromStack(d.stack);
      const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping'));
      for (const m of mappings) expect(m.Properties.ProvisionedPollerConfig.PollerGroupName).toBe('evpn-lens-pollers');
      const lag = alarms(t).filter((a) => a.MetricName === 'OffsetLag');
      expect(lag).toHaveLength(mappings.length);
      for (const a of lag) expect(a.Dimensions.map((x: { Name: string }) => x.Name).sort()).toEqual(['EventSourceMappingUUID', 'FunctionName']);
    }
  });

  it('9: alarms on table throttles, API 5xx, runs near their timeout and missing collector tasks', () => {
    const names = alarms().map((a) => a.AlarmName);
    expect(names).toEqual(
      expect.arrayContaining([
        'evpn-lens-table-index-throttles',
        'evpn-lens-api-5xx',
        'evpn-lens-mac-index-near-timeout',
        'evpn-lens-task-health-tick-near-timeout',
        'evpn-lens-collector-tasks',
      ]),
    );
    expect(alarms().find((a) => a.AlarmName === 'evpn-lens-mac-index-near-timeout')).toMatchObject({ Threshold: 0.8 * 120_000, Statistic: 'Maximum' });
  });

  it('#21: a throttled table raises an alarm per table and per consuming function, and the consumers get a full vCPU', () => {
    // Per table: its own throttle events; per consuming function: the throttling errors its SDK client retried.
    for (const id of TABLES.map((t) => t.id)) expect(alarms().map((a) => a.AlarmName)).toContain(`evpn-lens-table-${id}-throttles`);
    for (const fnId of ['mac-index', 'health'])
      expect(alarms().find((a) => a.AlarmName === `evpn-lens-${fnId}-ddb-throttled`)).toMatchObject({
        MetricName: 'DynamoDbThrottles',
        Namespace: METRICS_NAMESPACE,
        Statistic: 'Sum',
        Threshold: 0,
        EvaluationPeriods: 3,
        Dimensions: [{ Name: 'service', Value: fnId }],
      });
    // Memory sized for the client CPU the concurrency needs: at least one vCPU (1,769 MB) for the stream consumers.
    for (const fnId of ['mac-index', 'health']) expect(fnNamed(`evpn-lens-${fnId}`)?.[1].Properties?.MemorySize).toBeGreaterThanOrEqual(1769);
  });

  it('9: stops the synthesis on a BMP listener on loopback or a table prefix AWS names reject', async () => {
    await expect(synthDeployment({ configFile: configFile('dynamodb: { tablePrefix: lens- }\n') })).rejects.toThrow(
      /collector\.bmp\.listen 127\.0\.0\.1:11019 is a loopback/,
    );
    await expect(synthDeployment({ configFile: configFile(`${DEPLOYABLE_BMP}dynamodb: { tablePrefix: evpn.lens- }\n`) })).rejects.toThrow(
      /dynamodb\.tablePrefix "evpn\.lens-"/,
    );
    await expect(synthDeployment({ configFile: configFile(`${DEPLOYABLE_BMP}  gnmic: { enabled: true, fabric: dc1 }\n`) })).rejects.toThrow(
      /collector\.gnmic\.enabled: the gnmic input is not deployed on AWS/,
    );
  });

  it('9: never scales the collector in on CPU (a task scaled in makes its routers dump their tables again)', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        DisableScaleIn: true,
      }),
    });
  });

  it('9: starts the collector service after its topics exist', () => {
    const [serviceId, service] = ofType('AWS::ECS::Service')[0]!;
    const [topicsId] = ofType('Custom::EvpnLensKafkaTopics')[0]!;
    expect(service.DependsOn, serviceId).toContain(topicsId);
  });

  it('9: runs the CloudWatch agent by digest, by default or as given, and warns when it is pinned by tag only', async () => {
    const agentOf = (stack: Deployment['stack']) =>
      Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0]!.Properties.ContainerDefinitions.find(
        (c: { Name: string }) => c.Name === 'cloudwatch-agent',
      ).Image as string;
    expect(agentOf(main.stack)).toMatch(/^public\.ecr\.aws\/cloudwatch-agent\/cloudwatch-agent(:[\w.-]+)?@sha256:[0-9a-f]{64}$/);
    expect(Annotations.fromStack(main.stack).findWarning('*', Match.stringLikeRegexp('agentImage'))).toHaveLength(0);
    const byTag = await synthDeployment({
      collector: { bmpAllowedCidrs: ['10.1.0.0/16'], agentImage: 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest' },
    });
    expect(Annotations.fromStack(byTag.stack).findWarning('*', Match.stringLikeRegexp('collector.agentImage: .* is pinned by tag'))).toHaveLength(1);
    const image = `public.ecr.aws/cloudwatch-agent/cloudwatch-agent@sha256:${'0'.repeat(64)}`;
    const d = await synthDeployment({ collector: { bmpAllowedCidrs: ['10.1.0.0/16'], agentImage: image } });
    const td = Object.values(Template.fromStack(d.stack).findResources('AWS::ECS::TaskDefinition'))[0]!;
    expect(td.Properties.ContainerDefinitions.find((c: { Name: string }) => c.Name === 'cloudwatch-agent').Image).toBe(image);
    expect(Annotations.fromStack(d.stack).findWarning('*', Match.stringLikeRegexp('agentImage'))).toHaveLength(0);
  });

  it('9: has a NAT gateway per AZ by default, or VPC interface endpoints and no NAT', async () => {
    // One per AZ (the test app, with no account, has two AZs): as many as public subnets.
    const azs = main.stack.collector.service.stack.availabilityZones.length;
    expect(azs).toBeGreaterThan(1);
    template.resourceCountIs('AWS::EC2::NatGateway', azs);
    const d = await synthDeployment({ network: { mode: 'new', egress: 'endpoints' } });
    const t = Template.fromStack(d.stack);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    const endpoints = Object.values(t.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const svc of ['lambda', 'sts', 'ssm', 'ecr.api', 'ecr.dkr', 'logs', 'monitoring'])
      expect(
        endpoints.some((x) => x.includes(`.${svc}`)),
        svc,
      ).toBe(true);
  });
});
