/**
 * The evpn-lens YAML on AWS: validated at synth with the local schema (a bad file stops `cdk synth` with the key's
 * name), then stored as an SSM parameter (a standard one up to 4 KB, else an S3 object uploaded as a CDK asset). The
 * functions and the collector read it at start from EVPN_LENS_CONFIG. Secret references in it (`${ssm:/name}`) are
 * granted one by one.
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { secretRefsOf } from '../aws/runtime-config.js';
import { parseConfig, parseYamlText } from '../config/load-config.js';
import type { Config } from '../config/schema.js';

/** Largest value of a standard SSM parameter. */
const STANDARD_PARAMETER_BYTES = 4096;

export class ConfigStore extends Construct {
  readonly config: Config;
  /** What EVPN_LENS_CONFIG is set to. */
  readonly location: string;
  readonly #grantRead: (g: IGrantable) => void;
  readonly #secretRefs: string[];

  constructor(scope: Construct, id: string, p: { file: string; parameterName: string }) {
    super(scope, id);
    const text = readFileSync(p.file, 'utf8');
    const raw = parseYamlText(text, p.file);
    this.config = parseConfig(raw, {}, p.file);
    this.#secretRefs = [...secretRefsOf(raw)];
    if (Buffer.byteLength(text) <= STANDARD_PARAMETER_BYTES) {
      const param = new StringParameter(this, 'Parameter', {
        parameterName: p.parameterName,
        stringValue: text,
        tier: ParameterTier.STANDARD,
        description: 'evpn-lens configuration (YAML)',
      });
      this.location = `ssm:${p.parameterName}`;
      this.#grantRead = (g) => param.grantRead(g);
    } else {
      const asset = new Asset(this, 'Object', { path: p.file });
      this.location = `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
      // That one object (Asset.grantRead would allow every asset of the bootstrap bucket: GetObject*, List* on bucket/*).
      this.#grantRead = (g) =>
        g.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)] }));
    }
  }

  /** Read access to the file and to exactly the parameters it refers to. */
  grantRead(g: IGrantable): void {
    this.#grantRead(g);
    if (this.#secretRefs.length === 0) return;
    const stack = Stack.of(this);
    g.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: this.#secretRefs.map((name) =>
          stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        ),
      }),
    );
    const secrets = this.#secretRefs.filter((n) => n.startsWith('/aws/reference/secretsmanager/')).map((n) => n.slice('/aws/reference/secretsmanager/'.length));
    if (secrets.length > 0) {
      g.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          // Secrets Manager appends six random characters to a secret's ARN.
          resources: secrets.map((s) =>
            stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${s}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ),
        }),
      );
    }
  }
}
