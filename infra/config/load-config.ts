/**
 * Loads the configuration once: YAML file, then environment variables, then CLI flags (each overriding the previous),
 * validated by the schema. Every problem becomes one ConfigError line naming the key.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseShard } from './gnmi-schema.js';
import { type Config, configSchema } from './schema.js';

export interface ConfigOverrides {
  /** Dotted key paths → values, e.g. { 'api.listen': '127.0.0.1:9000' }. */
  [path: string]: unknown;
}

/** Environment variables the stack honours; they override the file. */
export function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  const o: ConfigOverrides = {};
  if (env.KAFKA_BROKERS)
    o['kafka.brokers'] = env.KAFKA_BROKERS.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (env.DYNAMODB_ENDPOINT) o['dynamodb.endpoint'] = env.DYNAMODB_ENDPOINT;
  if (env.AWS_REGION) o['dynamodb.region'] = env.AWS_REGION;
  if (env.EVPN_LENS_DATA_DIR) o.dataDir = env.EVPN_LENS_DATA_DIR;
  if (env.EVPN_LENS_API_LISTEN) o['api.listen'] = env.EVPN_LENS_API_LISTEN;
  if (env.EVPN_LENS_BMP_LISTEN) o['collector.bmp.listen'] = env.EVPN_LENS_BMP_LISTEN;
  if (env.LOG_LEVEL) o.logLevel = env.LOG_LEVEL;
  // One configuration for every collector task; each task's share of the gNMI targets from its environment.
  if (env.EVPN_LENS_GNMI_SHARD) o['collector.gnmi.shard'] = parseShard(env.EVPN_LENS_GNMI_SHARD) ?? env.EVPN_LENS_GNMI_SHARD;
  return o;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export function formatIssue(issue: z.core.$ZodIssue): string {
  const key =
    issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(root)';
  if (issue.code === 'unrecognized_keys') {
    const base = key === '(root)' ? '' : `${key}.`;
    return `unknown key ${issue.keys.map((k) => `"${base}${k}"`).join(', ')}`;
  }
  return `${key}: ${issue.message}`;
}

/** Validates a plain object (already parsed YAML plus overrides). */
export function parseConfig(raw: unknown, overrides: ConfigOverrides = {}, source = 'configuration'): Config {
  const base: Record<string, unknown> =
    raw === null || raw === undefined
      ? {}
      : typeof raw === 'object' && !Array.isArray(raw)
        ? structuredClone(raw as Record<string, unknown>)
        : { __notAMapping: raw };
  if ('__notAMapping' in base) throw new ConfigError(`${source}: expected a YAML mapping at the top level`);
  for (const [path, value] of Object.entries(overrides)) if (value !== undefined) setPath(base, path, value);
  const result = configSchema.safeParse(base);
  if (!result.success) {
    const first = result.error.issues[0]!;
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new ConfigError(`${source}: ${formatIssue(first)}${more}`, { cause: result.error });
  }
  return result.data;
}

/** Reads and validates the YAML file at `file` (or only defaults + overrides when undefined). */
export function loadConfig(file: string | undefined, overrides: ConfigOverrides = {}): Config {
  if (file === undefined) return parseConfig({}, overrides);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read configuration (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  return parseConfig(parseYamlText(text, file), overrides, file);
}

/** YAML text to a plain value: duplicate keys are errors, and a syntax error names its line (`source:line:col`). */
export function parseYamlText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0];
    throw new ConfigError(`${source}${line ? `:${line.line}:${line.col}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`, { cause: e });
  }
  return doc.toJS();
}
