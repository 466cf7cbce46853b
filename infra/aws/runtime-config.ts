/**
 * The configuration on AWS: the same YAML file as the local stack, read once at cold start (Lambda) or at start
 * (Fargate) from the place `EVPN_LENS_CONFIG` names, and validated by the same schema (infra/config/schema.ts).
 *
 * - `ssm:/evpn-lens/config` — an SSM parameter (String or SecureString; read with decryption);
 * - `s3://bucket/key` — an S3 object (the CDK app uses one when the file is larger than a standard parameter);
 * - `file:/path` — a file (the tests that run the bundles locally).
 *
 * Secrets stay out of the file and out of environment variables: a string value `${ssm:/name}` is replaced by that
 * SSM parameter, read with decryption (a SecureString; or a Secrets Manager secret through the parameter path
 * `/aws/reference/secretsmanager/<secret-name>`). The CDK app grants the function exactly the parameters the file refers to.
 */
import { readFile } from 'node:fs/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../config/errors.js';
import { parseConfig, parseYamlText } from '../config/load-config.js';
import type { Config } from '../config/schema.js';

export const CONFIG_ENV = 'EVPN_LENS_CONFIG';

/** `${ssm:/name}`: the whole string is a reference. */
const SECRET_REF = /^\$\{ssm:(\/[A-Za-z0-9_.\-/]+)\}$/;

export type ConfigLocation = { kind: 'ssm'; name: string } | { kind: 's3'; bucket: string; key: string } | { kind: 'file'; path: string };

export function parseConfigLocation(uri: string | undefined): ConfigLocation {
  if (!uri) throw new ConfigError(`${CONFIG_ENV} is not set: it names the configuration (ssm:/parameter-name or s3://bucket/key)`);
  const ssm = /^ssm:(\/[A-Za-z0-9_.\-/]+)$/.exec(uri);
  if (ssm) return { kind: 'ssm', name: ssm[1]! };
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(uri);
  if (s3) return { kind: 's3', bucket: s3[1]!, key: s3[2]! };
  if (uri.startsWith('file:/')) return { kind: 'file', path: uri.slice('file:'.length) };
  throw new ConfigError(`${CONFIG_ENV}: expected ssm:/parameter-name, s3://bucket/key or file:/path, got "${uri}"`);
}

/** The `${ssm:/name}` references in a parsed YAML value (the CDK app grants read access to exactly these). */
export function secretRefsOf(raw: unknown, out = new Set<string>()): Set<string> {
  if (typeof raw === 'string') {
    const m = SECRET_REF.exec(raw);
    if (m) out.add(m[1]!);
  } else if (Array.isArray(raw)) {
    for (const v of raw) secretRefsOf(v, out);
  } else if (raw && typeof raw === 'object') {
    for (const v of Object.values(raw)) secretRefsOf(v, out);
  }
  return out;
}

async function resolveRefs(raw: unknown, read: (name: string) => Promise<string>): Promise<unknown> {
  if (typeof raw === 'string') {
    const m = SECRET_REF.exec(raw);
    return m ? read(m[1]!) : raw;
  }
  if (Array.isArray(raw)) return Promise.all(raw.map((v) => resolveRefs(v, read)));
  if (raw && typeof raw === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) out[k] = await resolveRefs(v, read);
    return out;
  }
  return raw;
}

export interface ConfigClients {
  ssm: Pick<SSMClient, 'send'>;
  s3: Pick<S3Client, 'send'>;
}

async function readParameter(ssm: ConfigClients['ssm'], name: string): Promise<string> {
  try {
    const res = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = res.Parameter?.Value;
    if (value === undefined) throw new Error('the parameter has no value');
    return value;
  } catch (err) {
    throw new ConfigError(`ssm:${name}: cannot read the parameter (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

async function readText(loc: ConfigLocation, clients: ConfigClients): Promise<string> {
  if (loc.kind === 'ssm') return readParameter(clients.ssm, loc.name);
  if (loc.kind === 'file') {
    try {
      return await readFile(loc.path, 'utf8');
    } catch (err) {
      throw new ConfigError(`${loc.path}: cannot read configuration (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
  }
  try {
    const res = await clients.s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
    if (!res.Body) throw new Error('empty object');
    return await res.Body.transformToString('utf8');
  } catch (err) {
    throw new ConfigError(`s3://${loc.bucket}/${loc.key}: cannot read the configuration (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/** Reads, resolves and validates the configuration; every problem is one ConfigError naming the place and the key. */
export async function loadRuntimeConfig(uri: string | undefined, clients: ConfigClients): Promise<Config> {
  const loc = parseConfigLocation(uri);
  const source = uri!;
  const raw = parseYamlText(await readText(loc, clients), source);
  return parseConfig(await resolveRefs(raw, (name) => readParameter(clients.ssm, name)), {}, source);
}
