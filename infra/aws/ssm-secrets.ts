/**
 * Secrets named by environment variable in the configuration (alert sinks' urlEnv/secretEnv, gNMI targets'
 * passwordEnv), on AWS: each name N not set in the environment is read from the SSM parameter `<prefix>N` with
 * decryption (a SecureString, or a Secrets Manager secret through the prefix /aws/reference/secretsmanager/), and
 * kept in memory only. The CDK app grants each function or task exactly the parameters its configuration names.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../config/errors.js';

/** Where each kind of secret lives (the variable changes the prefix, e.g. to /aws/reference/secretsmanager/…). */
export const SECRET_PREFIXES = {
  sinks: { env: 'EVPN_LENS_SINK_SECRETS', default: '/evpn-lens/sinks/' },
  gnmi: { env: 'EVPN_LENS_GNMI_SECRETS', default: '/evpn-lens/gnmi/' },
} as const;

export type SecretKind = keyof typeof SECRET_PREFIXES;

export function secretPrefix(kind: SecretKind, env: NodeJS.ProcessEnv): string {
  return env[SECRET_PREFIXES[kind].env] ?? SECRET_PREFIXES[kind].default;
}

/** `env` with each of `names` it lacks read from SSM; one that cannot be read is a ConfigError naming the parameter. */
export async function environmentWithSecrets(
  kind: SecretKind,
  names: readonly string[],
  env: NodeJS.ProcessEnv,
  ssm: Pick<SSMClient, 'send'>,
): Promise<Record<string, string | undefined>> {
  const prefix = secretPrefix(kind, env);
  const out: Record<string, string | undefined> = { ...env };
  for (const name of names) {
    if (out[name]) continue;
    try {
      out[name] = (await ssm.send(new GetParameterCommand({ Name: `${prefix}${name}`, WithDecryption: true }))).Parameter?.Value;
    } catch (err) {
      const what = kind === 'sinks' ? 'sink' : 'gNMI';
      throw new ConfigError(`ssm:${prefix}${name}: cannot read the ${what} secret (${err instanceof Error ? err.name : String(err)})`, { cause: err });
    }
  }
  return out;
}
