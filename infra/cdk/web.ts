/**
 * The dashboard on AWS: its static files (dashboard/) in a private S3 bucket behind CloudFront (origin access
 * control), and the query API behind the same distribution (/v1/*, /healthz, /readyz), so the page calls the API on
 * its own origin as it does locally. config.json tells the page how to sign in (the JWT issuer).
 */
import { type CfnElement, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  type BehaviorOptions,
  CacheHeaderBehavior,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DASHBOARD_VENDOR_DIRS } from '../local/dashboard-vendor.js';
import { accept } from './nag.js';
import type { SignInSettings } from './query-api.js';

/** The id aws-cdk-lib gives the one function behind every BucketDeployment of a stack. */
const BUCKET_DEPLOYMENT_FUNCTION_ID = 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C';

export class Web extends Construct {
  readonly distribution: Distribution;
  readonly url: string;
  readonly logs: Bucket;

  constructor(scope: Construct, id: string, p: { prefix: string; dashboardDir: string; apiDomainName: string; signIn?: SignInSettings }) {
    super(scope, id);
    this.logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    accept(this.logs, { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself.' });
    const site = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The API: never cached; the Authorization header is forwarded (it can only be, as part of a cache key).
    const apiCache = new CachePolicy(this, 'ApiCache', {
      cachePolicyName: `${p.prefix}api-no-cache-${Stack.of(this).region}`,
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: CacheQueryStringBehavior.all(),
    });
    const api: BehaviorOptions = {
      origin: new HttpOrigin(p.apiDomainName, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      cachePolicy: apiCache,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'evpn-lens dashboard and API',
      defaultRootObject: 'index.html',
      defaultBehavior: { origin: S3BucketOrigin.withOriginAccessControl(site), viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS },
      additionalBehaviors: { '/v1/*': api, '/healthz': api, '/readyz': api },
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
    });
    accept(
      this.distribution,
      { id: 'AwsSolutions-CFR1', reason: 'No geo restriction: NOC operators sign in from wherever they work; the API requires a JWT.' },
      { id: 'AwsSolutions-CFR2', reason: 'No WAF web ACL by default (cost); the API is authorized and throttled. Attach one for internet exposure.' },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The default *.cloudfront.net certificate allows no minimum TLS version to be set; give a custom domain to enforce TLSv1.2_2021.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}/`;
    new BucketDeployment(this, 'Files', {
      sources: [Source.asset(p.dashboardDir), Source.jsonData('config.json', { signIn: p.signIn ?? null })],
      destinationBucket: site,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: false,
    });
    // The page's libraries, from their installed packages (as the local server serves them: dashboard-vendor.ts).
    Object.entries(DASHBOARD_VENDOR_DIRS).forEach(([prefix, dir], i) => {
      new BucketDeployment(this, `Vendor${i}`, {
        sources: [Source.asset(dir)],
        destinationBucket: site,
        destinationKeyPrefix: prefix.replace(/^\//, ''),
        prune: false,
      });
    });
    // BucketDeployment runs on one function per stack, made by aws-cdk-lib: its policy reads the CDK asset bucket and
    // writes this site bucket (S3 action groups and object paths, which nag counts as wildcards).
    const copier = Stack.of(this).node.tryFindChild(BUCKET_DEPLOYMENT_FUNCTION_ID);
    const siteArn = Stack.of(this).getLogicalId(site.node.defaultChild as CfnElement);
    const why = 'aws-cdk-lib BucketDeployment: copies the dashboard files from the CDK asset bucket into the site bucket.';
    if (copier) {
      accept(
        copier,
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: `${why} The managed policy lets it write its logs.`,
        },
        { id: 'AwsSolutions-L1', reason: `${why} Its runtime is chosen by aws-cdk-lib.` },
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((a) => ({ id: `AwsSolutions-IAM5[Action::${a}]`, reason: why })),
        { id: `AwsSolutions-IAM5[Resource::<${siteArn}.Arn>/*]`, reason: why },
        { id: 'AwsSolutions-IAM5[Resource::*]', reason: `${why} CloudFront invalidation takes no resource-level permissions.` },
        { id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${Stack.of(this).region}/*]`, reason: why },
      );
    }
  }
}
