/**
 * Where alerts go: one sink per entry of `alerts.sinks[]` (local configuration) or per notifier function (AWS, the
 * SINK environment variable as JSON). Validated once, with the same schema in both places.
 */
import { z } from 'zod';
import { ALERT_KINDS, ALERT_SEVERITIES } from '../../schemas/tables/index.js';

export const SINK_TYPES = ['alertmanager', 'webhook', 'slack'] as const;
export type SinkType = (typeof SINK_TYPES)[number];

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

export const sinkSchema = z
  .strictObject({
    /** Names the sink's consumer group (its position in evpn.alerts.v1): keep it when editing the list. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected 1-63 lower-case letters, digits, "_" or "-"')
      .optional(),
    type: z.enum(SINK_TYPES),
    /** alertmanager: the base URL (…/api/v2/alerts is appended); webhook and slack: the URL posted to. */
    url: httpUrl.optional(),
    /** The URL from an environment variable instead (a Slack incoming-webhook URL is itself a secret). */
    urlEnv: envName.optional(),
    /** Alert types delivered (default all). */
    types: z
      .array(z.enum(ALERT_KINDS))
      .min(1)
      .default([...ALERT_KINDS]),
    /** Alerts below this severity are not delivered. */
    minSeverity: z.enum(ALERT_SEVERITIES).default('info'),
    /** webhook: the HMAC-SHA256 key of the signature header; alertmanager: a bearer token (for a proxy in front). */
    secretEnv: envName.optional(),
    /** One HTTP attempt; a timeout counts as a retriable failure. */
    timeoutMs: z.number().int().min(100).max(60_000).default(3_000),
  })
  .superRefine((s, ctx) => {
    if ((s.url === undefined) === (s.urlEnv === undefined)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'give exactly one of url and urlEnv' });
    if (s.type === 'slack' && s.secretEnv !== undefined)
      ctx.addIssue({ code: 'custom', path: ['secretEnv'], message: 'slack signs nothing: put the secret webhook URL in urlEnv' });
  });

/** A sink's name when the configuration gives none (its consumer group follows it: name sinks to keep positions). */
export const defaultSinkName = (type: SinkType, index: number): string => `${type}-${index}`;

export type SinkInput = z.input<typeof sinkSchema>;
export type SinkSettings = z.output<typeof sinkSchema>;

/** A sink ready to use: its name fixed, its URL and secret read from the environment. */
export interface Sink extends Omit<SinkSettings, 'name' | 'url' | 'urlEnv' | 'secretEnv'> {
  name: string;
  url: string;
  secret?: string;
}

export class SinkConfigError extends Error {
  override readonly name = 'SinkConfigError';
  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${key}: ${message}`, options);
  }
}

/**
 * Reads a sink's URL and secret from `env`; a variable that is named but unset or empty is an error naming the key
 * (`keyPrefix` is where the sink sits in the configuration, e.g. "alerts.sinks[0]").
 */
export function resolveSink(s: SinkSettings, defaultName: string, env: Record<string, string | undefined>, keyPrefix: string): Sink {
  const read = (key: 'urlEnv' | 'secretEnv', name: string): string => {
    const v = env[name];
    if (v === undefined || v === '') throw new SinkConfigError(`${keyPrefix}.${key}`, `environment variable ${name} is not set`);
    return v;
  };
  const url = s.url ?? read('urlEnv', s.urlEnv!);
  if (s.urlEnv !== undefined && !httpUrl.safeParse(url).success)
    throw new SinkConfigError(`${keyPrefix}.urlEnv`, `environment variable ${s.urlEnv} does not hold an http(s) URL`);
  const { name, url: _u, urlEnv: _e, secretEnv, ...rest } = s;
  return { ...rest, name: name ?? defaultName, url, ...(secretEnv !== undefined ? { secret: read('secretEnv', secretEnv) } : {}) };
}

/** Retry and re-send timing of the notifier (every timer configurable, so tests run in seconds). */
export const notifyTimingSchema = z.strictObject({
  /** First retry delay after a 5xx or timeout; doubles per attempt up to maxBackoffMs. */
  initialBackoffMs: z.number().int().min(1).max(60_000).default(500),
  maxBackoffMs: z.number().int().min(1).max(600_000).default(30_000),
  /**
   * How long one invocation keeps retrying a record before handing it back to the event source (which delivers it
   * again): below the Lambda timeout and the local consumer's session timeout.
   */
  invocationRetrySeconds: z.number().min(0.1).max(600).default(5),
  /** A record still undeliverable this long after it was published goes to the dead-letter topic. */
  deadLetterAfterSeconds: z
    .number()
    .min(0.1)
    .max(7 * 86_400)
    .default(900),
  /** Alertmanager re-send period of active alerts; each send sets endsAt 4 periods ahead (as Prometheus does). */
  resendSeconds: z.number().min(0.1).max(3_600).default(60),
});
export type NotifyTiming = z.output<typeof notifyTimingSchema>;
export const DEFAULT_TIMING: NotifyTiming = notifyTimingSchema.parse({});
