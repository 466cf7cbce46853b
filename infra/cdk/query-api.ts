/**
 * The query API on API Gateway (HTTP API, payload v2): every path to the API function, JWT authorization by default
 * (the issuer given, or a Cognito user pool made here for the dashboard's sign-in), IAM (SigV4) as the option for
 * machine clients, stage throttling, and JSON access logs. /healthz and /readyz stay open (they reveal nothing).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpNoneAuthorizer, type HttpStage, type IHttpRouteAuthorizer, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, Mfa, OAuthScope, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { accept } from './nag.js';
import type { ApiProps } from './props.js';

/** What the dashboard needs to sign in (written to its config.json). */
export interface SignInSettings {
  issuer: string;
  clientId?: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  logoutUrl?: string;
}

export class QueryApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  readonly signIn?: SignInSettings;
  /** The execute-api host name (CloudFront's origin for /v1/*). */
  readonly domainName: string;

  constructor(scope: Construct, id: string, p: { prefix: string; fn: IFunction; api?: ApiProps; retention: RetentionDays; dashboardUrl: () => string }) {
    super(scope, id);
    const auth = p.api?.auth ?? 'jwt';
    let authorizer: IHttpRouteAuthorizer;
    if (auth === 'iam') {
      authorizer = new HttpIamAuthorizer();
    } else if (p.api?.jwt) {
      authorizer = new HttpJwtAuthorizer('Jwt', p.api.jwt.issuer, { jwtAudience: p.api.jwt.audience });
      this.signIn = { issuer: p.api.jwt.issuer, clientId: p.api.jwt.audience[0] };
    } else {
      // No issuer given: a user pool of NOC operators (no self sign-up, MFA by authenticator app).
      const pool = new UserPool(this, 'Operators', {
        userPoolName: `${p.prefix}operators`,
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { sms: false, otp: true },
        passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      accept(
        pool,
        { id: 'AwsSolutions-COG3', reason: 'Threat protection (Cognito Plus plan) is left to the operator: a small internal pool with MFA required.' },
        { id: 'AwsSolutions-COG8', reason: 'The Plus feature plan (threat protection) is a cost the operator chooses; MFA is required on every account.' },
      );
      // A domain prefix unique in the region: the name prefix and the account.
      const domain = pool.addDomain('Domain', {
        cognitoDomain: { domainPrefix: `${p.prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-')}${Stack.of(this).account}` },
      });
      const client = pool.addClient('Dashboard', {
        userPoolClientName: 'dashboard',
        generateSecret: false,
        authFlows: {},
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
          callbackUrls: [p.dashboardUrl()],
          logoutUrls: [p.dashboardUrl()],
        },
        accessTokenValidity: Duration.hours(1),
        idTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.hours(12),
      });
      const issuer = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${pool.userPoolId}`;
      authorizer = new HttpJwtAuthorizer('Jwt', issuer, { jwtAudience: [client.userPoolClientId] });
      this.userPool = pool;
      this.client = client;
      this.signIn = {
        issuer,
        clientId: client.userPoolClientId,
        authorizeUrl: `${domain.baseUrl()}/oauth2/authorize`,
        tokenUrl: `${domain.baseUrl()}/oauth2/token`,
        logoutUrl: `${domain.baseUrl()}/logout`,
      };
    }

    this.api = new HttpApi(this, 'HttpApi', { apiName: `${p.prefix}api`, createDefaultStage: false, defaultAuthorizer: authorizer });
    const integration = new HttpLambdaIntegration('Query', p.fn);
    this.api.addRoutes({ path: '/v1/{proxy+}', methods: [HttpMethod.GET, HttpMethod.HEAD], integration });
    this.api.addRoutes({ path: '/healthz', methods: [HttpMethod.GET], integration, authorizer: new HttpNoneAuthorizer() });
    this.api.addRoutes({ path: '/readyz', methods: [HttpMethod.GET], integration, authorizer: new HttpNoneAuthorizer() });
    accept(this.api, {
      id: 'AwsSolutions-APIG4',
      reason: '/healthz and /readyz are open on purpose (liveness checks; they return no data); every /v1 route is authorized.',
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: p.retention, removalPolicy: RemovalPolicy.DESTROY });
    this.stage = this.api.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: p.api?.throttle?.rate ?? 50, burstLimit: p.api?.throttle?.burst ?? 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.jsonWithStandardFields() },
    });
    this.domainName = `${this.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
  }
}
