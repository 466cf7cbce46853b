/**
 * The evpn-lens configuration file (YAML), validated once at start. Unknown keys are errors (a typo must not be
 * silently ignored), and every error names the offending key path.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../collector/bmp/framing.js';
import { DEFAULT_MAX_SESSIONS, DEFAULT_RESYNC_QUIET_MS } from '../../collector/defaults.js';
import { healthOptionsSchema } from '../../functions/health/options.js';
import { macIndexConfigSchema } from '../../functions/mac-index/options.js';
import { defaultSinkName, notifyTimingSchema, sinkSchema } from '../../functions/notify/sink-config.js';
import { DEFAULT_PARTITIONS } from '../../schemas/topics.js';
import { isCidr } from './cidr.js';
import { gnmiSchema } from './gnmi-schema.js';
import { gnmicSchema } from './gnmic-schema.js';
import { formatHostPort, parseHostPort } from './host-port.js';
import { isLoopback } from './loopback.js';

const hostPort = (fallback: string) =>
  z
    .string()
    .prefault(fallback)
    .refine((v) => parseHostPort(v) !== undefined, { message: 'expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080)' })
    .transform((v) => parseHostPort(v)!);

const cidr = z.string().refine(isCidr, { message: 'expected an IPv4/IPv6 address or CIDR (e.g. 10.0.0.0/8)' });
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name');
const ipv4 = z.string().refine((v) => isIP(v) === 4, { message: 'expected a BGP router ID (dotted quad)' });

const fabric = z.strictObject({
  name: z.string({ error: 'required: every fabric needs a name' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'expected 1-63 letters, digits, "_", "." or "-"'),
  description: z.string().optional(),
  match: z
    .strictObject({
      routerIds: z.array(ipv4).default([]),
      sysNames: z.array(z.string().min(1)).default([]),
      addresses: z.array(cidr).default([]),
    })
    .prefault({}),
  /**
   * How the fabric's EVPN labels are read when a route carries no BGP Encapsulation extended community: vxlan (a VNI)
   * or mpls (an MPLS label, and the route indexed by its EVI). RFC 8365 §5.1.3.
   */
  encapsulation: z.enum(['vxlan', 'mpls']).default('vxlan'),
  /** VTEP addresses that must be present; one that no route or gNMI sample shows is "missing" (health.rules.vtepMissing). */
  expectedVteps: z.array(z.string().refine((v) => isIP(v) !== 0, { message: 'expected a VTEP IPv4/IPv6 address' })).default([]),
});

export const configSchema = z
  .strictObject({
    dataDir: z.string().min(1).default('.data'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    fabrics: z.array(fabric).default([]),
    kafka: z
      .strictObject({
        brokers: z.array(hostPort('127.0.0.1:9092').transform((h) => `${h.host}:${h.port}`)).optional(),
        partitions: z.number().int().min(1).max(1000).default(DEFAULT_PARTITIONS),
        clientId: z.string().default('evpn-lens'),
        /**
         * evpn.routes.v1 records pack a partition's events (RouteEventBatch). 1 gives one event per record, keyed by
         * its MAC or route key, for consumers that want that; larger records cost the collector and broker less per event.
         */
        maxEventsPerRecord: z.number().int().min(1).max(100_000).default(2_000),
        maxRecordBytes: z.number().int().min(1_024).max(900_000).default(262_144),
        /** Record batch compression of the collector's producer (gzip runs on libuv's threads; none is faster on one machine). */
        compression: z.enum(['none', 'gzip']).default('none'),
        /**
         * The embedded broker's retention (a cluster named in `brokers` keeps its own): events older than `hours` are
         * deleted, and all evpn-lens topics together keep at most about `maxBytes`, so a long-running stack on a
         * workstation does not fill its disk.
         */
        localRetention: z
          .strictObject({
            hours: z.number().positive().max(87_600).default(168),
            maxBytes: z
              .number()
              .int()
              .min(64 * 1024 * 1024)
              .default(2 * 1024 * 1024 * 1024),
          })
          .prefault({}),
      })
      .prefault({}),
    dynamodb: z
      .strictObject({
        endpoint: z.url().optional(),
        region: z.string().default('us-east-1'),
        tablePrefix: z
          .string()
          .regex(/^[A-Za-z0-9_.-]*$/)
          .default('evpn-lens-'),
        /** dynalite has no TTL: the local stack deletes items whose TTL attribute (expiresAt) has passed this often. */
        ttlSweepMinutes: z.number().positive().max(1_440).default(60),
        /**
         * The store of a local stack without an endpoint or AWS credentials: the embedded one (LMDB under dataDir/store),
         * or dynalite (the DynamoDB API over HTTP, under dataDir/dynamodb; slower, for tools that read the tables through
         * a DynamoDB client).
         */
        local: z.enum(['embedded', 'dynalite']).default('embedded'),
        /**
         * On the embedded store, how many MACs (MAC index) and routes and counters (health) an invocation applies at
         * once, in place of macIndex.concurrency and health.concurrency, which size the pools of DynamoDB round trips.
         * Here no write waits on a network: the writes in flight share one group commit, and more of them make fewer,
         * larger commits (the ingest bench: median 9,496 route events/s with 256 against 8,476 with 32).
         */
        embeddedConcurrency: z.number().int().min(1).max(4096).default(256),
      })
      .prefault({}),
    collector: z
      .strictObject({
        id: z.string().min(1).default('collector-1'),
        bmp: z
          .strictObject({
            /** Loopback by default: listening wider needs an allowlist (or `allow: any`), see the refinement below. */
            listen: hostPort('127.0.0.1:11019'),
            allow: z.union([z.literal('any'), z.array(cidr)]).default([]),
            /** Sessions beyond this are refused (each holds a router's RIB in memory). */
            maxSessions: z.number().int().min(1).max(100_000).default(DEFAULT_MAX_SESSIONS),
            resyncQuietSeconds: z
              .number()
              .positive()
              .default(DEFAULT_RESYNC_QUIET_MS / 1000),
            maxMessageBytes: z
              .number()
              .int()
              .min(4096)
              .max(64 * 1024 * 1024)
              .default(DEFAULT_MAX_MESSAGE_BYTES),
          })
          .prefault({}),
        /** gNMI dial-in targets (infra/config/gnmi-schema.ts). */
        gnmi: gnmiSchema.prefault({}),
        /** gnmic's Kafka output as a second telemetry input (infra/config/gnmic-schema.ts). */
        gnmic: gnmicSchema.prefault({}),
      })
      .prefault({}),
    api: z
      .strictObject({
        listen: hostPort('127.0.0.1:8080'),
        /** A bearer token read from the environment variable `tokenEnv`, or `none`; required off loopback. */
        auth: z.union([z.literal('none'), z.strictObject({ tokenEnv: envName.default('EVPN_LENS_API_TOKEN') })]).optional(),
        /** Larger request bodies get 413 (the API reads none; this bounds what a client can make the server buffer). */
        maxBodyBytes: z.number().int().min(0).max(1_048_576).default(16_384),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        /** Where alerts are delivered (functions/notify): one consumer group per sink. */
        sinks: z.array(sinkSchema).default([]),
        /** Base URL of links in alerts (default: the API's own address). */
        dashboardUrl: z.url().optional(),
        delivery: notifyTimingSchema.prefault({}),
      })
      .prefault({}),
    /**
     * Local overrides of the catalog's mapping settings (infra/catalog/functions.ts, the same as on AWS) for the index
     * and health functions; unset, each function's own. The notifiers keep theirs (LATEST: a new sink is not sent the
     * retained history).
     */
    eventSource: z
      .strictObject({
        batchSize: z.number().int().min(1).max(10_000).optional(),
        batchingWindowMs: z.number().int().min(0).max(300_000).optional(),
        /** Where a new consumer group starts: the oldest event (as the MSK mapping's TRIM_HORIZON) or the newest. */
        startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).optional(),
      })
      .prefault({}),
    /** The MAC index's tunables (functions/mac-index/options.ts documents each key). */
    macIndex: macIndexConfigSchema.prefault({}),
    /** Fabric health: status rules and timers (functions/health/options.ts documents each key). */
    health: healthOptionsSchema.prefault({}),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.fabrics.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['fabrics', i, 'name'], message: `duplicate fabric name "${f.name}"` });
      seen.add(f.name);
    });
    const gnmic = cfg.collector?.gnmic;
    if (gnmic?.enabled && !gnmic.listedOnly && !gnmic.fabric)
      ctx.addIssue({
        code: 'custom',
        path: ['collector', 'gnmic', 'fabric'],
        message: 'required when gnmic is enabled: the fabric of its targets (or listedOnly with devices[].fabric)',
      });
    if (cfg.fabrics.length > 0) {
      const fabricsOf: [string[], string | undefined][] = [
        [['fabric'], gnmic?.fabric],
        ...Object.entries(gnmic?.devices ?? {}).map(([d, v]): [string[], string | undefined] => [['devices', d, 'fabric'], v.fabric]),
      ];
      for (const [at, f] of fabricsOf)
        if (f && !seen.has(f)) ctx.addIssue({ code: 'custom', path: ['collector', 'gnmic', ...at], message: `unknown fabric "${f}"` });
      cfg.collector.gnmi.targets.forEach((t, i) => {
        if (!seen.has(t.fabric)) ctx.addIssue({ code: 'custom', path: ['collector', 'gnmi', 'targets', i, 'fabric'], message: `unknown fabric "${t.fabric}"` });
      });
    }
    // Off loopback, nothing is open by default: the API wants a token (or an explicit none), the BMP station an allowlist.
    // (Refinements also run when a field failed to parse: look only at values that did.)
    const hostOf = (l: unknown) =>
      typeof l === 'object' && l !== null && typeof (l as { host?: unknown }).host === 'string' ? (l as { host: string }).host : undefined;
    const apiHost = hostOf(cfg.api?.listen);
    if (apiHost !== undefined && !isLoopback(apiHost) && cfg.api.auth === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['api', 'auth'],
        message: `api.listen ${formatHostPort(cfg.api.listen)} is not a loopback address: set api.auth.tokenEnv (a bearer token) or api.auth: none`,
      });
    const bmp = cfg.collector?.bmp;
    const bmpHost = hostOf(bmp?.listen);
    if (bmpHost !== undefined && !isLoopback(bmpHost) && Array.isArray(bmp.allow) && bmp.allow.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['collector', 'bmp', 'allow'],
        message: `collector.bmp.listen ${formatHostPort(bmp.listen)} is not a loopback address: list the routers' source CIDRs or set allow: any`,
      });
    const sinkNames = new Set<string>();
    (cfg.alerts?.sinks ?? []).forEach((sink, i) => {
      const name = sink.name ?? defaultSinkName(sink.type, i);
      if (sinkNames.has(name)) ctx.addIssue({ code: 'custom', path: ['alerts', 'sinks', i, 'name'], message: `duplicate sink name "${name}"` });
      sinkNames.add(name);
    });
  });

export type Config = z.output<typeof configSchema>;
export type FabricConfig = Config['fabrics'][number];
