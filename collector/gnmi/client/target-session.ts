/**
 * One gNMI target, dialed for ever: a channel, one Subscribe stream per subscription set (spec §3.5), the target's
 * normalizer, and the reconnect loop.
 *
 * - Subscription sets fail alone: a set whose stream the target refuses or ends (rejected, ended, malformed, quiet)
 *   is resubscribed by itself after its own exponential backoff while the target's other sets stream on. A set the
 *   target answers UNIMPLEMENTED (spec §3.5.2.4: a path it does not support) is reported once, on the target's status
 *   (`sets`), and retried only at the longest backoff. The connection fails as a whole when the channel does
 *   (unreachable, TLS, credentials, keepalive) or when no set is left streaming: every stream is cancelled, the channel
 *   closed, a DOWN event names the error kind, and the target is dialed again after an exponential backoff with jitter
 *   (reset once a connection delivered data). Other targets never notice: each has its own channel.
 * - A GOAWAY too_many_pings (grpc-go's default keepalive enforcement) is a reconnect with the keepalive interval doubled.
 * - Silence is not a failure: a SAMPLE stream may send nothing for a path that does not exist yet (spec §3.5.1.5.2);
 *   gRPC keepalive finds a dead connection. Only a set with a heartbeat interval that misses 3 heartbeats is
 *   resubscribed (kind "quiet").
 * - sync_response (spec §3.5.2.3) per stream; the target is synced when every stream is. A target that never sends it
 *   keeps streaming; after syncTimeoutMs its initial state is taken as complete and "no-sync" is counted.
 * - A response that does not decode, or an update that makes no sense, is counted and skipped; the stream goes on.
 * - Credentials travel as per-RPC metadata ("username", "password"); every text that leaves this module (log lines,
 *   event details, error messages) has them masked, even when a target echoes them back.
 */
import { type Client, type ClientDuplexStream, Metadata, status } from '@grpc/grpc-js';
import Long from 'long';
import type { Logger } from 'pino';
import { type ITargetEvent, TargetEventKind } from '../../../schemas/events.js';
import { GNMI_METHODS, type ISubscribeRequest, SubscribeRequest, SubscribeResponse } from '../../../schemas/gnmi.js';
import type { TargetErrorKind } from '../../../schemas/vtep-telemetry.js';
import type { GnmiTarget, GnmiTimers, SubscriptionSet } from '../config.js';
import { TargetStreamError } from '../errors.js';
import type { GnmiErrorLabel, TargetStatusView } from '../gnmi-metrics.js';
import type { NormalizedSample, TargetNormalizer } from '../normalize/normalizer.js';
import type { U64Halves } from '../publish/sample-encoder.js';
import { openChannel } from './channel.js';
import { errorKindOf } from './error-kind.js';
import { refreshIntervalMs } from './refresh-interval.js';
import { subscribeRequest } from './subscribe-request.js';

/** Where a session's output goes (the collector: encoder, publisher, metrics). */
export interface SessionSink {
  /**
   * Publishes samples; false when the publisher's buffer is full (the session pauses its streams). `refreshMs`: how
   * often their set resends an unchanged leaf (refresh-interval.ts; 0 for none, and for the counts made at sync).
   */
  samples(samples: NormalizedSample[], receiveNs: U64Halves, refreshMs: number): boolean;
  event(event: ITargetEvent): void;
  whenDrained(): Promise<void>;
  updates(n: number): void;
  error(kind: GnmiErrorLabel): void;
  reconnect(): void;
}

export interface TargetSessionOptions {
  target: GnmiTarget;
  normalizer: TargetNormalizer;
  timers: GnmiTimers;
  maxMessageBytes: number;
  sink: SessionSink;
  logger: Logger;
  random?: () => number;
}

interface StreamState {
  set: SubscriptionSet;
  call: ClientDuplexStream<ISubscribeRequest, Buffer> | undefined;
  synced: boolean;
  lastAt: number;
  quietMs: number;
  timers: NodeJS.Timeout[];
  /** Waiting to resubscribe after its stream failed. */
  failed: boolean;
  /** Consecutive failures of this set without data in between. */
  attempt: number;
}

/** What the target's status says about one subscription set. */
export interface SetStatus {
  state: 'streaming' | 'retrying' | 'unimplemented';
  kind?: TargetErrorKind | undefined;
  detail?: string | undefined;
  retryInMs?: number | undefined;
}

/** Kinds that mean the channel, not one stream, failed: the whole connection is redialed. */
const CHANNEL_KINDS: ReadonlySet<TargetErrorKind> = new Set(['unreachable', 'tls', 'auth', 'keepalive']);

const serialize = (r: ISubscribeRequest) => Buffer.from(SubscribeRequest.encode(r).finish());
const identity = (b: Buffer) => b;
const MAX_KEEPALIVE_MS = 3_600_000;

/** Now as nanoseconds since the epoch, as 32-bit halves. */
export function nowNs(): U64Halves {
  const t = performance.timeOrigin + performance.now();
  const ms = Math.floor(t);
  const ns = BigInt(ms) * 1_000_000n + BigInt(Math.floor((t - ms) * 1e6));
  return { lo: Number(ns & 0xffff_ffffn), hi: Number(ns >> 32n) };
}

export class TargetSession implements TargetStatusView {
  readonly name: string;
  connected = false;
  synced = false;
  lastUpdateAt = 0;
  updates = 0;
  keepaliveMs: number;
  /** Consecutive attempts that failed before delivering anything. */
  attempt = 0;
  lastError: { kind: TargetErrorKind; detail: string } | undefined;
  /** Per subscription set: streaming, or why not (an UNIMPLEMENTED set stays reported here). */
  readonly sets = new Map<string, SetStatus>();
  /** Sets the target answered UNIMPLEMENTED, reported once for the life of the session. */
  private readonly unimplemented = new Set<string>();

  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private client: Client | undefined;
  private streams: StreamState[] = [];
  private paused = false;
  private gotData = false;
  private failSession: ((err: TargetStreamError) => void) | undefined;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly secrets: string[];

  constructor(private readonly o: TargetSessionOptions) {
    this.name = o.target.name;
    this.keepaliveMs = o.target.keepaliveMs ?? o.timers.keepaliveMs;
    this.random = o.random ?? Math.random;
    this.log = o.logger;
    this.secrets = [o.target.password, o.target.username].filter((s): s is string => Boolean(s));
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.failSession?.(new TargetStreamError('stopped', 'ended'));
    this.wake?.();
    await this.loop;
  }

  /** Masks the credentials in a text that may leave the collector. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let failure: TargetStreamError;
      try {
        await this.connectOnce();
        if (this.stopped) break;
        failure = new TargetStreamError('the session ended', 'ended');
      } catch (err) {
        if (this.stopped) break;
        failure = err instanceof TargetStreamError ? err : new TargetStreamError(this.redact(String((err as Error)?.message ?? err)), errorKindOf(err));
      }
      this.attempt = this.gotData ? 1 : this.attempt + 1;
      const delay = this.backoff(this.attempt);
      let detail = this.redact(failure.message);
      if (failure.kind === 'unreachable' && !this.o.target.tls.enabled && !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|plaintext/.test(detail)) {
        detail += ' (plaintext: does the target require TLS?)';
      }
      this.lastError = { kind: failure.kind, detail };
      if (failure.kind === 'keepalive') this.keepaliveMs = Math.min(this.keepaliveMs * 2, MAX_KEEPALIVE_MS);
      this.o.sink.error(failure.kind);
      this.o.sink.event({
        kind: TargetEventKind.TARGET_EVENT_KIND_DOWN,
        address: this.o.target.address,
        errorKind: failure.kind,
        detail,
        attempt: this.attempt,
        retryInMs: Long.fromNumber(delay, true),
      });
      this.log.warn(
        { target: this.name, address: this.o.target.address, kind: failure.kind, attempt: this.attempt, retryInMs: delay, keepaliveMs: this.keepaliveMs },
        `gNMI target ${this.name} down (${failure.kind}): ${detail}; retrying in ${delay} ms`,
      );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
      if (!this.stopped) this.o.sink.reconnect();
    }
  }

  /** Exponential backoff with jitter: between half and all of min·2^(attempt-1), capped. */
  private backoff(attempt: number): number {
    const base = Math.min(this.o.timers.reconnectMaxMs, this.o.timers.reconnectMinMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  /**
   * One set's stream failed. A channel failure, or the last set failing, fails the connection; otherwise the set is
   * resubscribed alone after its backoff.
   */
  private streamFailed(s: StreamState, err: TargetStreamError, code: number | undefined, fail: (err: TargetStreamError) => void, restart: () => void): void {
    s.call?.removeAllListeners();
    s.call?.on('error', () => undefined); // a cancelled call still reports CANCELLED
    s.call?.cancel();
    s.call = undefined;
    if (CHANNEL_KINDS.has(err.kind) || this.streams.every((x) => x === s || x.failed)) {
      fail(err);
      return;
    }
    s.failed = true;
    s.synced = false;
    s.attempt++;
    const unimplemented = code === status.UNIMPLEMENTED;
    // An unsupported path stays unsupported: ask again only at the longest backoff, and say so once.
    const delay = unimplemented ? this.o.timers.reconnectMaxMs : this.backoff(s.attempt);
    const detail = this.redact(err.message);
    this.sets.set(s.set.name, { state: unimplemented ? 'unimplemented' : 'retrying', kind: err.kind, detail, retryInMs: delay });
    if (!unimplemented || !this.unimplemented.has(s.set.name)) {
      this.o.sink.error(err.kind);
      this.log.warn(
        { target: this.name, set: s.set.name, kind: err.kind, attempt: s.attempt, retryInMs: delay },
        unimplemented
          ? `gNMI target ${this.name} does not implement subscription set ${s.set.name}: ${detail}; its other sets go on`
          : `gNMI target ${this.name} subscription set ${s.set.name} failed (${err.kind}): ${detail}; resubscribing in ${delay} ms, its other sets go on`,
      );
    }
    if (unimplemented) this.unimplemented.add(s.set.name);
    s.timers.push(setTimeout(restart, delay));
  }

  /** One connection: resolves when stopped, rejects with the first stream failure. */
  private connectOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const sessionTimers: NodeJS.Timeout[] = [];
      const finish = (err?: TargetStreamError) => {
        if (done) return;
        done = true;
        this.failSession = undefined;
        for (const t of sessionTimers) clearTimeout(t);
        for (const s of this.streams) {
          for (const t of s.timers) clearTimeout(t);
          s.call?.removeAllListeners();
          s.call?.on('error', () => undefined); // a cancelled call still reports CANCELLED
          s.call?.cancel();
        }
        this.streams = [];
        this.client?.close();
        this.client = undefined;
        this.connected = false;
        this.synced = false;
        if (err && !this.stopped) reject(err);
        else resolve();
      };
      this.failSession = finish;
      this.gotData = false;
      this.paused = false;
      try {
        this.client = openChannel({
          address: this.o.target.address,
          tls: this.o.target.tls,
          keepaliveMs: this.keepaliveMs,
          keepaliveTimeoutMs: this.o.timers.keepaliveTimeoutMs,
          maxMessageBytes: this.o.maxMessageBytes,
        });
      } catch (err) {
        finish(err instanceof TargetStreamError ? err : new TargetStreamError(this.redact(String(err)), 'tls'));
        return;
      }
      this.o.normalizer.connected();
      for (const [name, st] of this.sets) if (st.state !== 'unimplemented') this.sets.delete(name);
      for (const set of this.o.target.subscriptions) this.streams.push(this.openStream(set, finish));
      sessionTimers.push(
        setTimeout(() => {
          if (done || this.gotData) return;
          const plain = this.o.target.tls.enabled ? '' : ' (plaintext: does the target require TLS?)';
          finish(new TargetStreamError(`no response within ${this.o.timers.connectTimeoutMs} ms of connecting${plain}`, 'unreachable'));
        }, this.o.timers.connectTimeoutMs),
        setTimeout(() => {
          if (done || this.streams.every((s) => s.synced || s.failed)) return;
          this.o.sink.error('no-sync');
          this.log.warn(
            { target: this.name, sets: this.streams.filter((s) => !s.synced).map((s) => s.set.name) },
            `gNMI target ${this.name} sent no sync_response within ${this.o.timers.syncTimeoutMs} ms; its initial state is taken as complete`,
          );
          const out: NormalizedSample[] = [];
          const now = nowNs();
          this.o.normalizer.sync(out, Long.fromBits(now.lo, now.hi, true));
          this.publish(out, now, 0);
        }, this.o.timers.syncTimeoutMs),
      );
    });
  }

  private openStream(set: SubscriptionSet, fail: (err: TargetStreamError) => void): StreamState {
    const secondMs = this.o.timers.secondMs;
    const heartbeat = (set.heartbeatIntervalSeconds ?? 0) * secondMs;
    const s: StreamState = {
      set,
      call: undefined,
      synced: false,
      lastAt: Date.now(),
      quietMs: 3 * heartbeat,
      timers: [],
      failed: false,
      attempt: 0,
    };
    const failed = (err: TargetStreamError, code?: number) => this.streamFailed(s, err, code, fail, start);
    const start = () => {
      if (this.client === undefined) return; // the connection ended meanwhile
      s.lastAt = Date.now();
      s.failed = false;
      const md = new Metadata();
      if (this.o.target.username) md.set('username', this.o.target.username);
      if (this.o.target.password) md.set('password', this.o.target.password);
      const call = this.client!.makeBidiStreamRequest<ISubscribeRequest, Buffer>(GNMI_METHODS.subscribe, serialize, identity, md);
      s.call = call;
      s.lastAt = Date.now();
      call.on('data', (buf: Buffer) => this.onResponse(s, buf));
      call.on('error', (err: Error & { code?: number; details?: string }) => {
        const kind = errorKindOf(err);
        const why = typeof err.code === 'number' ? err.details || err.message : 'the gRPC response could not be parsed (no status)';
        failed(new TargetStreamError(this.redact(`${set.name}: ${why}`), kind), err.code);
      });
      call.on('status', (st: { code: number }) => {
        if (st.code !== 0) return; // 'error' reports it
        if (set.mode === 'once' && s.synced) {
          // A ONCE read is complete; read again after the interval, if there is one (spec §3.5.1.5.1).
          const every = (set.sampleIntervalSeconds ?? 0) * secondMs;
          if (every > 0) s.timers.push(setTimeout(start, every));
          return;
        }
        failed(new TargetStreamError(`${set.name}: the target ended the stream`, 'ended'), st.code);
      });
      call.write(subscribeRequest(set, this.o.target.target ?? this.o.target.name));
      if (this.paused) call.pause();
    };
    start();
    if (set.mode === 'poll') {
      const every = (set.sampleIntervalSeconds ?? 0) * secondMs;
      if (every > 0) s.timers.push(setInterval(() => s.call?.write({ poll: {} }), every));
    }
    if (s.quietMs > 0) {
      s.timers.push(
        setInterval(
          () => {
            if (this.paused || !this.gotData || s.failed || !s.call) return; // before the first response the connect timeout applies
            const quiet = Date.now() - s.lastAt;
            if (quiet > s.quietMs) {
              failed(new TargetStreamError(`${set.name}: nothing received for ${quiet} ms, more than 3 heartbeat intervals (${heartbeat} ms)`, 'quiet'));
            }
          },
          Math.max(10, Math.floor(s.quietMs / 6)),
        ),
      );
    }
    return s;
  }

  private onResponse(s: StreamState, buf: Buffer): void {
    const now = Date.now();
    s.lastAt = now;
    if (s.attempt > 0 || !this.sets.has(s.set.name)) {
      s.attempt = 0;
      s.failed = false;
      this.sets.set(s.set.name, { state: 'streaming' });
    }
    this.lastUpdateAt = now;
    if (!this.gotData) {
      this.gotData = true;
      this.attempt = 0;
    }
    if (!this.connected) {
      this.connected = true;
      this.o.sink.event({ kind: TargetEventKind.TARGET_EVENT_KIND_CONNECTED, address: this.o.target.address });
      this.log.info({ target: this.name, address: this.o.target.address }, `gNMI target ${this.name} streaming`);
    }
    let r: ReturnType<typeof SubscribeResponse.decode>;
    try {
      r = SubscribeResponse.decode(buf);
    } catch (err) {
      this.o.sink.error('notification');
      this.log.debug({ target: this.name, err: (err as Error).message, bytes: buf.length }, 'gNMI response that does not decode skipped');
      return;
    }
    const receive = nowNs();
    if (r.update) {
      const n = r.update.update?.length ?? 0;
      this.updates += n;
      this.o.sink.updates(n);
      const out: NormalizedSample[] = [];
      const malformed = this.o.normalizer.malformed;
      this.o.normalizer.notification(r.update, out);
      if (this.o.normalizer.malformed !== malformed) {
        for (let i = malformed; i < this.o.normalizer.malformed; i++) this.o.sink.error('notification');
        this.log.debug({ target: this.name, err: this.redact(this.o.normalizer.lastMalformed?.message ?? '') }, 'malformed gNMI update skipped');
      }
      this.publish(out, receive, refreshIntervalMs(s.set, this.o.timers.secondMs));
    } else if (r.syncResponse) {
      if (s.synced) return; // POLL and repeated ONCE reads sync again
      s.synced = true;
      if (!this.synced && this.streams.every((x) => x.synced || x.failed)) {
        this.synced = true;
        const out: NormalizedSample[] = [];
        this.o.normalizer.sync(out, Long.fromBits(receive.lo, receive.hi, true));
        this.publish(out, receive, 0);
        this.o.sink.event({ kind: TargetEventKind.TARGET_EVENT_KIND_SYNCED, address: this.o.target.address });
        this.log.info({ target: this.name }, `gNMI target ${this.name} synced`);
      }
    } else if (r.error) {
      // Deprecated in-band error (spec §3.5.2 before 0.4): report it, keep the stream.
      this.o.sink.error('rejected');
      this.log.warn({ target: this.name, code: r.error.code }, `gNMI target ${this.name} sent an error: ${this.redact(r.error.message ?? '')}`);
    }
  }

  private publish(out: NormalizedSample[], receive: U64Halves, refreshMs: number): void {
    if (out.length === 0) return;
    if (!this.o.sink.samples(out, receive, refreshMs) && !this.paused) {
      // Kafka is behind: stop reading (HTTP/2 flow control pushes back on the target) until the buffer drains.
      this.paused = true;
      for (const s of this.streams) s.call?.pause();
      void this.o.sink.whenDrained().then(() => {
        this.paused = false;
        const now = Date.now();
        for (const s of this.streams) {
          s.lastAt = now;
          s.call?.resume();
        }
      });
    }
  }
}
