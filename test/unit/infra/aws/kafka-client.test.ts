import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { describe, expect, it } from 'vitest';
import { kafkaConfig, kafkaOptionsFromEnv } from '../../../../infra/aws/kafka-client.js';
import { ConfigError } from '../../../../infra/config/errors.js';

describe('kafka client for MSK', () => {
  it('authenticates with IAM: TLS and an OAUTHBEARER token that is a SigV4-signed kafka-cluster:Connect request', async () => {
    // The real signer, with fixed credentials instead of the role's.
    const cfg = kafkaConfig({
      brokers: ['b-1.example:9098'],
      auth: 'iam',
      region: 'eu-west-1',
      clientId: 't',
      token: (region) =>
        generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }) }),
    });

    expect(cfg.ssl).toBe(true);
    expect(cfg.sasl?.mechanism).toBe('oauthbearer');
    const { value } = await (cfg.sasl as { oauthBearerProvider: () => Promise<{ value: string }> }).oauthBearerProvider();
    const url = new URL(Buffer.from(value, 'base64url').toString());
    expect(url.hostname).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/);
  });

  it('connects in the clear with KAFKA_AUTH=none (the local broker)', () => {
    const cfg = kafkaConfig(kafkaOptionsFromEnv({ KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', KAFKA_AUTH: 'none' }, 't'));

    expect(cfg.brokers).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(cfg.ssl).toBeUndefined();
    expect(cfg.sasl).toBeUndefined();
  });

  it('names the missing or bad setting', () => {
    expect(() => kafkaOptionsFromEnv({}, 't')).toThrow(/KAFKA_BROKERS/);
    expect(() => kafkaOptionsFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_AUTH: 'scram' }, 't')).toThrow(/KAFKA_AUTH/);
    expect(() => kafkaConfig({ brokers: ['a:1'], auth: 'iam', clientId: 't' })).toThrow(ConfigError);
  });
});
