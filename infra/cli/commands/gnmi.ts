/**
 * `evpn-lens gnmi capabilities|get|subscribe --address A [--tls …] PATH…`: what a switch sends, as JSON lines, for an
 * operator. TLS is on unless --no-tls. The password comes from an environment variable (--password-env), never from
 * the command line. Many targets implement Subscribe only: get and capabilities then say so and exit 1
 * (`subscribe --mode once` reads the same data).
 */
import { type Client, Metadata, status } from '@grpc/grpc-js';
import type { Command } from 'commander';
import Long from 'long';
import { openChannel } from '../../../collector/gnmi/client/channel.js';
import { ENCODINGS, subscribeRequest } from '../../../collector/gnmi/client/subscribe-request.js';
import type { GnmiEncodingName, SubscriptionSet, SubscriptionSetMode } from '../../../collector/gnmi/config.js';
import { BUILTIN_RULES } from '../../../collector/gnmi/normalize/builtin-rules.js';
import { type NormalizedSample, TargetNormalizer } from '../../../collector/gnmi/normalize/normalizer.js';
import { RuleTable } from '../../../collector/gnmi/normalize/rule-table.js';
import { notificationJson, subscribeResponseJson } from '../../../collector/gnmi/notification-json.js';
import { parsePath } from '../../../collector/gnmi/path.js';
import { halvesOf, SampleEncoder } from '../../../collector/gnmi/publish/sample-encoder.js';
import { JSON_OPTIONS, VtepSample } from '../../../schemas/events.js';
import {
  CapabilityRequest,
  CapabilityResponse,
  GetRequest,
  GetResponse,
  GNMI_METHODS,
  gnmi,
  type ISubscribeRequest,
  SubscribeRequest,
  SubscribeResponse,
} from '../../../schemas/gnmi.js';
import { ConfigError } from '../../config/errors.js';
import { parseHostPort } from '../../config/host-port.js';

interface ConnectionFlags {
  address: string;
  tls: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsServerName?: string;
  tlsSkipVerify?: boolean;
  username?: string;
  passwordEnv?: string;
  target?: string;
  timeout: string;
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--address <host:port>', 'the gNMI server')
    .option('--no-tls', 'plaintext (TLS is on by default)')
    .option('--tls-ca <file>', 'CA certificate (PEM) that signed the server certificate')
    .option('--tls-cert <file>', 'client certificate (PEM), for mutual TLS')
    .option('--tls-key <file>', 'client key (PEM), for mutual TLS')
    .option('--tls-server-name <name>', 'name to verify the server certificate against')
    .option('--tls-skip-verify', 'do not verify the server certificate')
    .option('--username <name>', 'sent as per-RPC metadata')
    .option('--password-env <NAME>', 'environment variable holding the password (sent as per-RPC metadata)')
    .option('--target <name>', 'gNMI prefix target')
    .option('--timeout <seconds>', 'give up after this long', '30');
}

function connect(o: ConnectionFlags): { client: Client; metadata: Metadata; redact: (s: string) => string } {
  if (!parseHostPort(o.address)) throw new ConfigError(`--address: expected host:port, got "${o.address}"`);
  if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw new ConfigError('--tls-cert and --tls-key go together (mutual TLS)');
  let password: string | undefined;
  if (o.passwordEnv) {
    password = process.env[o.passwordEnv];
    if (password === undefined) throw new ConfigError(`--password-env: environment variable ${o.passwordEnv} is not set`);
  }
  const client = openChannel({
    address: o.address,
    tls: { enabled: o.tls, ca: o.tlsCa, cert: o.tlsCert, key: o.tlsKey, serverName: o.tlsServerName, skipVerify: Boolean(o.tlsSkipVerify) },
    keepaliveMs: 360_000,
    keepaliveTimeoutMs: 20_000,
    maxMessageBytes: 256 * 1024 * 1024,
  });
  const metadata = new Metadata();
  if (o.username) metadata.set('username', o.username);
  if (password) metadata.set('password', password);
  const secrets = [password, o.username].filter((s): s is string => Boolean(s));
  const redact = (s: string) => secrets.reduce((t, x) => t.split(x).join('***'), s);
  return { client, metadata, redact };
}

const line = (v: unknown) => process.stdout.write(`${JSON.stringify(v)}\n`);

/** A gRPC failure as one line; UNIMPLEMENTED says the target lacks the RPC. */
function failure(rpc: string, err: { code?: number; details?: string; message?: string }, redact: (s: string) => string): Error {
  if (err.code === status.UNIMPLEMENTED) {
    return new Error(`the target does not implement ${rpc} (UNIMPLEMENTED); many targets serve only Subscribe: try \`evpn-lens gnmi subscribe --mode once\``);
  }
  const name = typeof err.code === 'number' ? (status[err.code] ?? String(err.code)) : 'no status';
  return new Error(`${rpc} failed (${name}): ${redact(err.details || err.message || '')}`);
}

function unary<Req, Res>(
  c: ReturnType<typeof connect>,
  method: string,
  req: Req,
  encode: (r: Req) => Uint8Array,
  decode: (b: Buffer) => Res,
  seconds: number,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    c.client.makeUnaryRequest(
      method,
      (r: Req) => Buffer.from(encode(r)),
      decode,
      req,
      c.metadata,
      { deadline: Date.now() + seconds * 1000 },
      (err, res) => (err ? reject(err) : resolve(res as Res)),
    );
  });
}

const pathOf = (p: string) => {
  const { origin, elem } = parsePath(p);
  return { origin, elem };
};

export function register(program: Command): void {
  const g = program.command('gnmi').description('look at what a gNMI target sends (JSON lines)');

  connectionOptions(g.command('capabilities').description('the target’s models, encodings and gNMI version')).action(async (o: ConnectionFlags) => {
    const c = connect(o);
    try {
      const res = await unary(
        c,
        GNMI_METHODS.capabilities,
        {},
        (r) => CapabilityRequest.encode(r).finish(),
        (b) => CapabilityResponse.decode(b),
        Number(o.timeout),
      );
      line(CapabilityResponse.toObject(res, { ...JSON_OPTIONS, enums: String }));
    } catch (err) {
      throw failure('Capabilities', err as Error, c.redact);
    } finally {
      c.client.close();
    }
  });

  connectionOptions(
    g.command('get').description('read paths once with Get').argument('<path...>', 'paths, e.g. openconfig:/interfaces/interface[name=Ethernet1]/state'),
  )
    .option('--encoding <name>', 'json | json_ietf | proto', 'json_ietf')
    .option('--type <type>', 'all | config | state | operational', 'all')
    .action(async (paths: string[], o: ConnectionFlags & { encoding: GnmiEncodingName; type: string }) => {
      const encoding = ENCODINGS[o.encoding];
      if (encoding === undefined) throw new ConfigError(`--encoding: one of ${Object.keys(ENCODINGS).join(', ')}`);
      const type = gnmi.GetRequest.DataType[o.type.toUpperCase() as keyof typeof gnmi.GetRequest.DataType];
      if (type === undefined) throw new ConfigError('--type: one of all, config, state, operational');
      const c = connect(o);
      try {
        const req = { prefix: o.target ? { target: o.target } : null, path: paths.map(pathOf), encoding, type };
        const res = await unary(
          c,
          GNMI_METHODS.get,
          req,
          (r) => GetRequest.encode(r).finish(),
          (b) => GetResponse.decode(b),
          Number(o.timeout),
        );
        for (const n of res.notification ?? []) line(notificationJson(n));
      } catch (err) {
        throw failure('Get', err as Error, c.redact);
      } finally {
        c.client.close();
      }
    });

  connectionOptions(g.command('subscribe').description('Subscribe and print each response').argument('<path...>', 'paths, e.g. openconfig:/network-instances'))
    .option('--mode <mode>', 'stream | once | poll', 'stream')
    .option('--stream-mode <mode>', 'sample | on-change | target-defined', 'target-defined')
    .option('--sample-interval <seconds>', 'SAMPLE interval; with --mode poll, how often to poll', '10')
    .option('--heartbeat-interval <seconds>', 'heartbeat interval')
    .option('--suppress-redundant', 'SAMPLE: send only changed values')
    .option('--updates-only', 'no initial state')
    .option('--encoding <name>', 'json | json_ietf | proto', 'json_ietf')
    .option('--count <n>', 'stop after this many responses')
    .option('--duration <seconds>', 'stop after this long')
    .option('--normalize', 'print the telemetry.vtep.v1 samples the collector would publish instead')
    .option('--fabric <name>', 'fabric for --normalize', 'default')
    .action(
      async (
        paths: string[],
        o: ConnectionFlags & {
          mode: string;
          streamMode: string;
          sampleInterval: string;
          heartbeatInterval?: string;
          suppressRedundant?: boolean;
          updatesOnly?: boolean;
          encoding: GnmiEncodingName;
          count?: string;
          duration?: string;
          normalize?: boolean;
          fabric: string;
        },
      ) => {
        const streamModes: Record<string, SubscriptionSetMode> = { sample: 'sample', 'on-change': 'on-change', 'target-defined': 'target-defined' };
        const mode: SubscriptionSetMode | undefined =
          o.mode === 'stream' ? streamModes[o.streamMode] : o.mode === 'once' || o.mode === 'poll' ? o.mode : undefined;
        if (!mode) throw new ConfigError('--mode: stream, once or poll (--stream-mode: sample, on-change or target-defined)');
        if (ENCODINGS[o.encoding] === undefined) throw new ConfigError(`--encoding: one of ${Object.keys(ENCODINGS).join(', ')}`);
        for (const p of paths) pathOf(p);
        const set: SubscriptionSet = {
          name: 'cli',
          mode,
          sampleIntervalSeconds: Number(o.sampleInterval),
          heartbeatIntervalSeconds: o.heartbeatInterval ? Number(o.heartbeatInterval) : undefined,
          suppressRedundant: Boolean(o.suppressRedundant),
          updatesOnly: Boolean(o.updatesOnly),
          encoding: o.encoding,
          paths,
        };
        const c = connect(o);
        const normalizer = o.normalize ? new TargetNormalizer(new RuleTable(BUILTIN_RULES), { publishUnmapped: true, vtep: '' }) : undefined;
        normalizer?.connected();
        const encoder = new SampleEncoder({ fabric: o.fabric, device: o.target ?? o.address, collectorId: 'cli' });
        const printSamples = (out: NormalizedSample[]) => {
          const now = halvesOf(BigInt(Date.now()) * 1_000_000n);
          for (const s of out) line(VtepSample.toObject(VtepSample.decode(encoder.encode(s, now, { lo: 0, hi: 0 })), JSON_OPTIONS));
        };
        const max = o.count ? Number(o.count) : Number.POSITIVE_INFINITY;
        let seen = 0;
        await new Promise<void>((resolve, reject) => {
          const call = c.client.makeBidiStreamRequest<ISubscribeRequest, Buffer>(
            GNMI_METHODS.subscribe,
            (r) => Buffer.from(SubscribeRequest.encode(r).finish()),
            (b) => b,
            c.metadata,
          );
          let done = false;
          const timers: NodeJS.Timeout[] = [];
          const finish = (err?: Error) => {
            if (done) return;
            done = true;
            for (const t of timers) clearTimeout(t);
            call.removeAllListeners('data');
            call.on('error', () => undefined);
            call.cancel();
            if (err) reject(err);
            else resolve();
          };
          if (o.duration) timers.push(setTimeout(() => finish(), Number(o.duration) * 1000));
          if (mode === 'poll') timers.push(setInterval(() => call.write({ poll: {} }), Number(o.sampleInterval) * 1000));
          // Nothing at all within --timeout: the target is not answering.
          const silent = setTimeout(() => finish(new Error(`no response within ${o.timeout} s`)), Number(o.timeout) * 1000);
          timers.push(silent);
          call.on('data', (b: Buffer) => {
            clearTimeout(silent);
            let r: ReturnType<typeof SubscribeResponse.decode>;
            try {
              r = SubscribeResponse.decode(b);
            } catch (err) {
              line({ malformed: (err as Error).message, bytes: b.length });
              return;
            }
            if (normalizer) {
              const out: NormalizedSample[] = [];
              if (r.update) normalizer.notification(r.update, out);
              else if (r.syncResponse) normalizer.sync(out, Long.UZERO);
              printSamples(out);
              if (r.syncResponse) line({ syncResponse: true });
            } else {
              line(subscribeResponseJson(r));
            }
            if (++seen >= max) finish();
          });
          call.on('error', (err: Error & { code?: number; details?: string }) => finish(failure('Subscribe', err, c.redact)));
          call.on('end', () => finish());
          call.write(subscribeRequest(set, o.target ?? ''));
          process.once('SIGINT', () => finish());
        }).finally(() => c.client.close());
      },
    );
}
