/**
 * A gNMI target written here on grpc-js, for what the reference harness cannot do: SAMPLE timing and heartbeats,
 * a stream dropped mid-way, credential checks that fail, TLS mismatches, undecodable responses, a target that never
 * sends sync_response. Each test scripts the Subscribe handler.
 */
import { Server, ServerCredentials, type ServerDuplexStream, type ServerUnaryCall, type sendUnaryData, status } from '@grpc/grpc-js';
import {
  CapabilityRequest,
  CapabilityResponse,
  GetRequest,
  GetResponse,
  GNMI_METHODS,
  type gnmi,
  type ISubscribeRequest,
  type ISubscribeResponse,
  SubscribeRequest,
  SubscribeResponse,
} from '../../../schemas/gnmi.js';

export interface SubscribeCall {
  request: ISubscribeRequest;
  metadata: Record<string, string>;
  send(r: ISubscribeResponse): boolean;
  /** Bytes sent as one gRPC message as they are (not necessarily a SubscribeResponse). */
  sendRaw(b: Buffer): void;
  /** Ends the call with a status (OK by default). */
  end(code?: status, details?: string): void;
  /** Resets the HTTP/2 stream: the client sees the stream dropped. */
  drop(): void;
  onPoll(f: () => void): void;
  readonly ended: boolean;
  /** When the call arrived (Date.now()). */
  readonly at: number;
}

export interface TsTargetOptions {
  tls?: { cert: Buffer; key: Buffer; clientCa?: Buffer } | undefined;
  /** Reject calls whose metadata lacks these (UNAUTHENTICATED); `echo` puts what was sent in the status details. */
  credentials?: { username: string; password: string; echo?: boolean } | undefined;
  subscribe: (call: SubscribeCall) => void;
  get?: (req: gnmi.GetRequest) => gnmi.IGetResponse;
  capabilities?: () => gnmi.ICapabilityResponse;
}

export interface TsTarget {
  address: string;
  port: number;
  calls: SubscribeCall[];
  stop(): Promise<void>;
}

const raw = (b: Buffer) => b;

export async function startTsTarget(o: TsTargetOptions, host = '127.0.0.1', port = 0): Promise<TsTarget> {
  const server = new Server();
  const calls: SubscribeCall[] = [];
  const checkCredentials = (md: Record<string, string>): string | undefined => {
    if (!o.credentials) return undefined;
    if (md.username === o.credentials.username && md.password === o.credentials.password) return undefined;
    return o.credentials.echo ? `bad credentials: username=${md.username} password=${md.password}` : 'bad credentials';
  };
  const metadataOf = (m: { getMap(): Record<string, unknown> }) =>
    Object.fromEntries(Object.entries(m.getMap()).map(([k, v]) => [k, String(v)])) as Record<string, string>;

  server.register<Buffer, Buffer>(
    GNMI_METHODS.subscribe,
    ((stream: ServerDuplexStream<Buffer, Buffer>) => {
      const metadata = metadataOf(stream.metadata);
      const bad = checkCredentials(metadata);
      if (bad) {
        stream.emit('error', { code: status.UNAUTHENTICATED, details: bad });
        return;
      }
      let first = true;
      let ended = false;
      const pollers: (() => void)[] = [];
      stream.on('data', (b: Buffer) => {
        const req = SubscribeRequest.decode(b);
        if (first) {
          first = false;
          const call: SubscribeCall = {
            request: req,
            metadata,
            send: (r) => !ended && stream.write(Buffer.from(SubscribeResponse.encode(r).finish())),
            sendRaw: (buf) => {
              if (!ended) stream.write(buf);
            },
            end: (code = status.OK, details = '') => {
              if (ended) return;
              ended = true;
              if (code === status.OK) stream.end();
              else stream.emit('error', { code, details });
            },
            drop: () => {
              ended = true;
              (stream as unknown as { call?: { stream?: { close(code: number): void } } }).call?.stream?.close(0x2 /* INTERNAL_ERROR */);
            },
            onPoll: (f) => pollers.push(f),
            at: Date.now(),
            get ended() {
              return ended;
            },
          };
          calls.push(call);
          o.subscribe(call);
        } else if (req.poll) {
          for (const f of pollers) f();
        }
      });
      stream.on('error', () => undefined);
      stream.on('cancelled', () => (ended = true));
    }) as never,
    raw,
    raw,
    'bidi',
  );
  server.register<Buffer, Buffer>(
    GNMI_METHODS.get,
    ((call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
      const bad = checkCredentials(metadataOf(call.metadata));
      if (bad) return cb({ code: status.UNAUTHENTICATED, details: bad });
      if (!o.get) return cb({ code: status.UNIMPLEMENTED, details: 'Get is not implemented by this target' });
      cb(null, Buffer.from(GetResponse.encode(o.get(GetRequest.decode(call.request))).finish()));
    }) as never,
    raw,
    raw,
    'unary',
  );
  server.register<Buffer, Buffer>(
    GNMI_METHODS.capabilities,
    ((call: ServerUnaryCall<Buffer, Buffer>, cb: sendUnaryData<Buffer>) => {
      CapabilityRequest.decode(call.request);
      if (!o.capabilities) return cb({ code: status.UNIMPLEMENTED, details: 'Capabilities is not implemented by this target' });
      cb(null, Buffer.from(CapabilityResponse.encode(o.capabilities()).finish()));
    }) as never,
    raw,
    raw,
    'unary',
  );
  const creds = o.tls
    ? ServerCredentials.createSsl(o.tls.clientCa ?? null, [{ private_key: o.tls.key, cert_chain: o.tls.cert }], Boolean(o.tls.clientCa))
    : ServerCredentials.createInsecure();
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(`${host}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
  return {
    address: `${host}:${bound}`,
    port: bound,
    calls,
    async stop() {
      server.forceShutdown();
    },
  };
}
