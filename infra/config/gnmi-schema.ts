/**
 * collector.gnmi: the gNMI dial-in targets, named subscription sets, normalization rules and timers (validated once,
 * errors naming the key), and the collector options built from them (passwordEnv read from the environment).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { GnmiCollectorConfig, GnmiTarget, SubscriptionSet } from '../../collector/gnmi/config.js';
import { BUILTIN_SUBSCRIPTIONS, DEFAULT_SUBSCRIPTION_SETS } from '../../collector/gnmi/normalize/builtin-rules.js';
import { RuleTable } from '../../collector/gnmi/normalize/rule-table.js';
import { parsePath } from '../../collector/gnmi/path.js';
import { ConfigError } from './errors.js';
import { parseHostPort } from './host-port.js';

const gnmiPath = z.string().refine(
  (p) => {
    try {
      parsePath(p);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a gNMI path string, e.g. openconfig:/network-instances/network-instance[name=default]' },
);

const subscriptionSet = z
  .strictObject({
    mode: z.enum(['sample', 'on-change', 'target-defined', 'once', 'poll']).default('sample'),
    /** SAMPLE interval; for once/poll how often to read again. */
    sampleIntervalSeconds: z.number().positive().optional(),
    heartbeatIntervalSeconds: z.number().positive().optional(),
    suppressRedundant: z.boolean().default(false),
    updatesOnly: z.boolean().default(false),
    encoding: z.enum(['json', 'json_ietf', 'proto']).default('json_ietf'),
    paths: z.array(gnmiPath).min(1, 'at least one path'),
  })
  .transform((s) => (s.mode === 'sample' && s.sampleIntervalSeconds === undefined ? { ...s, sampleIntervalSeconds: 10 } : s));

const tls = z
  .strictObject({
    enabled: z.boolean().default(true),
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    serverName: z.string().min(1).optional(),
    skipVerify: z.boolean().default(false),
  })
  .refine((t) => Boolean(t.cert) === Boolean(t.key), { message: 'mutual TLS needs both cert and key' });

const target = z.strictObject({
  name: z
    .string({ error: 'required: every gNMI target needs a name' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,126}$/, 'expected letters, digits, "_", ".", ":" or "-"'),
  address: z.string({ error: 'required: host:port of the gNMI server' }).refine((v) => parseHostPort(v) !== undefined, { message: 'expected host:port' }),
  fabric: z.string({ error: 'required: the fabric the device belongs to' }).min(1),
  target: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  passwordEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  tls: tls.prefault({}),
  subscriptions: z.array(z.string().min(1)).min(1).optional(),
  vtep: z
    .string()
    .refine((v) => isIP(v) !== 0, { message: 'expected the local VTEP IP address' })
    .optional(),
  shard: z.number().int().min(0).optional(),
  keepaliveSeconds: z.number().min(1).optional(),
});

const rule = z.strictObject({
  path: z.string().min(1),
  kind: z.enum(['counter', 'gauge', 'state', 'count', 'scope']),
  name: z.string().min(1).optional(),
  leaves: z.record(z.string(), z.string()).optional(),
  states: z.record(z.string(), z.string()).optional(),
  verbatim: z.boolean().optional(),
  aggregate: z.boolean().optional(),
  sums: z.record(z.string(), z.array(z.string().min(1)).min(1)).optional(),
});

export const gnmiSchema = z
  .strictObject({
    targets: z.array(target).default([]),
    /** Named subscription sets; the built-in ones (openconfig-vxlan, openconfig-mac-table, ...) can be overridden. */
    subscriptions: z.record(z.string(), subscriptionSet).default({}),
    /** Normalization rules tried before the built-in table. */
    normalize: z.array(rule).default([]),
    /** Publish leaves no rule maps as RAW samples. */
    publishUnmapped: z.boolean().default(false),
    /** This task's share of the targets: { index, count } (EVPN_LENS_GNMI_SHARD=index/count). */
    shard: z
      .strictObject({ index: z.number().int().min(0), count: z.number().int().min(1) })
      .refine((s) => s.index < s.count, { message: 'index must be below count' })
      .optional(),
    reconnect: z
      .strictObject({ minSeconds: z.number().positive().default(1), maxSeconds: z.number().positive().default(60) })
      .refine((r) => r.minSeconds <= r.maxSeconds, { message: 'minSeconds must not exceed maxSeconds' })
      .prefault({}),
    /** gRPC keepalive ping interval: grpc-go servers refuse more often than every 300 s by default. */
    keepaliveSeconds: z.number().min(1).default(360),
    connectTimeoutSeconds: z.number().positive().default(30),
    syncTimeoutSeconds: z.number().positive().default(120),
    maxMessageBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(1024 * 1024 * 1024)
      .default(64 * 1024 * 1024),
  })
  .superRefine((g, ctx) => {
    const names = new Set<string>();
    g.targets.forEach((t, i) => {
      if (names.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate gNMI target name "${t.name}"` });
      names.add(t.name);
      (t.subscriptions ?? []).forEach((s, j) => {
        if (!(s in g.subscriptions) && !(s in BUILTIN_SUBSCRIPTIONS)) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', i, 'subscriptions', j],
            message: `unknown subscription set "${s}" (define it under collector.gnmi.subscriptions or use one of ${Object.keys(BUILTIN_SUBSCRIPTIONS).join(', ')})`,
          });
        }
      });
      if (t.shard !== undefined && g.shard && t.shard >= g.shard.count) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'shard'], message: `shard ${t.shard} is not below shard.count ${g.shard.count}` });
      }
    });
    g.normalize.forEach((r, i) => {
      try {
        new RuleTable([r]);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['normalize', i], message: (err as Error).message.replace(/^normalization rule 0/, 'rule') });
      }
    });
  });

export type GnmiConfig = z.output<typeof gnmiSchema>;

/** "index/count" (EVPN_LENS_GNMI_SHARD) as a shard, or undefined when malformed. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  return m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
}

/** The environment variables the targets' passwords are read from (on AWS: SSM /evpn-lens/gnmi/<NAME>, ssm-secrets.ts). */
export function gnmiPasswordNames(g: GnmiConfig): string[] {
  return [...new Set(g.targets.flatMap((t) => (t.passwordEnv ? [t.passwordEnv] : [])))];
}

/** The collector's gNMI options: subscription sets resolved by name, passwords read from the environment. */
export function gnmiCollectorConfig(g: GnmiConfig, env: NodeJS.ProcessEnv = process.env): GnmiCollectorConfig {
  const sets = { ...BUILTIN_SUBSCRIPTIONS, ...g.subscriptions } as Record<string, Omit<SubscriptionSet, 'name'>>;
  const targets: GnmiTarget[] = g.targets.map((t, i) => {
    let password: string | undefined;
    if (t.passwordEnv) {
      password = env[t.passwordEnv];
      if (password === undefined) throw new ConfigError(`collector.gnmi.targets[${i}].passwordEnv: environment variable ${t.passwordEnv} is not set`);
    }
    return {
      name: t.name,
      address: t.address,
      fabric: t.fabric,
      target: t.target,
      username: t.username,
      password,
      tls: t.tls,
      vtep: t.vtep,
      shard: t.shard,
      keepaliveMs: t.keepaliveSeconds === undefined ? undefined : t.keepaliveSeconds * 1000,
      subscriptions: (t.subscriptions ?? DEFAULT_SUBSCRIPTION_SETS).map((name) => ({ name, ...sets[name]! })),
    };
  });
  return {
    targets,
    normalize: g.normalize,
    publishUnmapped: g.publishUnmapped,
    maxMessageBytes: g.maxMessageBytes,
    shard: g.shard,
    timers: {
      reconnectMinMs: g.reconnect.minSeconds * 1000,
      reconnectMaxMs: g.reconnect.maxSeconds * 1000,
      keepaliveMs: g.keepaliveSeconds * 1000,
      connectTimeoutMs: g.connectTimeoutSeconds * 1000,
      syncTimeoutMs: g.syncTimeoutSeconds * 1000,
    },
  };
}
