/**
 * One TCP (or TLS) connection to a Kafka broker. Requests are written as they come; the broker answers them in order
 * (https://kafka.apache.org/protocol#protocol_network), so responses are matched to a FIFO of pending calls and the
 * correlation id is checked. Response framing is a small state machine: the 4-byte size is checked against a limit
 * before anything is buffered. A failed connection rejects every pending call with a retriable error.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { KafkaConnectionError, KafkaResponseDecodeError, KafkaWireError } from './errors.js';
import { KafkaReader } from './reader.js';
import { encodeRequest, type ApiCall } from './protocol/request-header.js';

export interface BrokerConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  tls?: ConnectionOptions;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxResponseBytes?: number;
}

interface Pending {
  correlationId: number;
  api: ApiCall<unknown, unknown>;
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class BrokerConnection {
  private socket: Socket | undefined;
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private failure: Error | undefined;
  readonly address: string;

  constructor(private readonly opts: BrokerConnectionOptions) {
    this.address = `${opts.host}:${opts.port}`;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && this.failure === undefined;
  }

  async connect(): Promise<void> {
    const { host, port } = this.opts;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(new KafkaConnectionError(`cannot connect to Kafka broker ${this.address}: ${err.message}`, this.address, { cause: err }));
      const sock = this.opts.tls ? tlsConnect({ host, port, ...this.opts.tls }, () => done()) : netConnect({ host, port }, () => done());
      const timer = setTimeout(() => {
        sock.destroy();
        onError(new Error(`timed out after ${this.opts.connectTimeoutMs ?? 10_000} ms`));
      }, this.opts.connectTimeoutMs ?? 10_000);
      const done = () => {
        clearTimeout(timer);
        sock.off('error', onError);
        this.attach(sock);
        resolve();
      };
      sock.once('error', onError);
    });
  }

  private attach(sock: Socket): void {
    sock.setNoDelay(true);
    this.socket = sock;
    sock.on('data', (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (err) {
        this.fail(err instanceof KafkaWireError ? err : new KafkaResponseDecodeError(`bad response from ${this.address}`, { api: this.pending[0]?.api.name ?? '?', offset: 0 }, { cause: err }));
      }
    });
    sock.on('error', (err) => this.fail(new KafkaConnectionError(`Kafka broker ${this.address}: ${err.message}`, this.address, { cause: err })));
    sock.on('close', () => this.fail(new KafkaConnectionError(`Kafka broker ${this.address} closed the connection`, this.address)));
  }

  /** Sends one request; resolves with its decoded response. */
  send<Req, Res>(api: ApiCall<Req, Res>, req: Req, sizeHint?: number): Promise<Res> {
    if (!this.socket || this.failure) return Promise.reject(this.failure ?? new KafkaConnectionError(`not connected to ${this.address}`, this.address));
    const correlationId = this.nextCorrelationId++ & 0x7fffffff;
    const frame = encodeRequest(api, correlationId, this.opts.clientId, req, sizeHint);
    return new Promise<Res>((resolve, reject) => {
      const timeoutMs = this.opts.requestTimeoutMs ?? 30_000;
      const timer = setTimeout(() => this.fail(new KafkaConnectionError(`${api.name} to ${this.address} got no response in ${timeoutMs} ms`, this.address)), timeoutMs);
      this.pending.push({ correlationId, api: api as ApiCall<unknown, unknown>, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket!.write(frame);
    });
  }

  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const max = this.opts.maxResponseBytes ?? 64 * 1024 * 1024;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < 4) return;
        const size = this.take(4).readInt32BE(0);
        if (size < 4 || size > max) throw new KafkaResponseDecodeError(`response size ${size} from ${this.address} is outside 4..${max}`, { api: this.pending[0]?.api.name ?? '?', offset: 0 });
        this.expected = size;
      }
      if (this.buffered < this.expected) return;
      const frame = this.take(this.expected);
      this.expected = -1;
      this.dispatch(frame);
    }
  }

  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }

  private dispatch(frame: Buffer): void {
    const call = this.pending.shift();
    const correlationId = frame.readInt32BE(0);
    if (!call || call.correlationId !== correlationId) {
      throw new KafkaResponseDecodeError(`response with correlation id ${correlationId} from ${this.address}, expected ${call?.correlationId ?? 'none'}`, { api: call?.api.name ?? '?', offset: 0 });
    }
    clearTimeout(call.timer);
    let res: unknown;
    try {
      const r = new KafkaReader(frame, call.api.name);
      r.pos = 4;
      res = call.api.decode(r);
    } catch (err) {
      call.reject(err as Error);
      throw err;
    }
    call.resolve(res);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.socket?.destroy();
  }

  close(): void {
    this.fail(new KafkaConnectionError(`connection to ${this.address} closed by the producer`, this.address));
  }
}
