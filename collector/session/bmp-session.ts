/**
 * One BMP session (one router's TCP connection): the I/O shell around the router's RIB (state/router-rib.ts). It
 * decodes each framed message, feeds the RIB, publishes the route changes the RIB reports and the session events,
 * keeps the resync timer and counts. Messages are processed strictly in order and their events handed to the
 * publisher before the next one is looked at, so a router's events never overtake each other.
 *
 * Bad input loses nothing else: a message that does not decode is counted, logged (router, offset, ≤ 64 bytes of hex)
 * and skipped; a malformed UPDATE is handled per its RFC 7606 class (counted by class, logged with offset and
 * attribute type); only a framing error, which leaves no way to find the next message, ends the session.
 *
 * A router that reconnects while its previous session still looks alive (a half-open TCP session: the router
 * rebooted, the FIN never came) takes its RIB over: the previous session is closed, its routes become stale and are
 * swept after End-of-RIB or the quiet time, like those of any reconnect.
 *
 * Every session has an epoch (SessionContext.acquireEpoch) carried by all its events. Its dump ends (End-of-RIB on every
 * view, or the quiet time) with RESYNC_COMPLETE carrying the epoch: the MAC index then withdraws the router's paths of
 * older epochs, which a collector that restarted (or another task the router failed over from) cannot name.
 */
import type { Logger } from 'pino';
import { type ISessionEvent, RouteAction, SessionEvent, SessionEventKind, type WithdrawReason, WithdrawReason as WR } from '../../schemas/events.js';
import { TOPICS } from '../../schemas/topics.js';
import { AddPathMode } from '../bmp/bgp/bgp-codes.js';
import { decodeBgpUpdate, strongestHandling } from '../bmp/bgp/update.js';
import { DecodeError, ERROR_HANDLING_NAMES, ErrorHandling } from '../bmp/errors.js';
import { MAX_NAMED_ROUTE_TYPE } from '../bmp/evpn/evpn-codes.js';
import { BmpPeerType, BmpTerminationReason, TERMINATION_REASON_SESSION_LOST } from '../bmp/messages/bmp-codes.js';
import { decodeBmpMessage } from '../bmp/messages/decode-message.js';
import type { BmpMessage, DecodedUpdate, EvpnRoute, PathAttributes, PerPeerHeader } from '../bmp/types.js';
import type { DefaultEncapsulation, FabricResolver } from '../fabric/fabric-resolver.js';
import type { CollectorMetrics } from '../metrics.js';
import type { EventPublisher } from '../publish/event-publisher.js';
import type { CollectorState } from '../state/collector-state.js';
import { type PeerDisabled, type RouteChangeSink, RouterRib, type ViewState } from '../state/router-rib.js';
import { ribViewOf } from './rib-view.js';
import { attributeFields, contextFields, contextSignature, encodeFields, joinParts, longOf, routeKafkaKey } from './route-event.js';
import { type AttributeSummary, attributesFingerprint, labelsInto, summarizeAttributes, unknownAttributes } from './route-labels.js';
import { type RoutePart, RoutePartEncoder } from './route-part-encoder.js';

export interface SessionContext {
  state: CollectorState<AttributeSummary>;
  /** Which session holds each router now (router id → session), to notice a reconnect over a half-open session. */
  owners: Map<string, BmpSession>;
  publisher: EventPublisher;
  resolver: FabricResolver;
  metrics: CollectorMetrics;
  logger: Logger;
  collectorId: string;
  nextSeq: () => bigint;
  /** After a reconnect, a table counts as re-sent once no route arrived for this long (or End-of-RIB came). */
  resyncQuietMs: number;
  /** The clock (µs since epoch); injectable for tests. */
  nowUs?: () => bigint;
  /**
   * A new session's epoch, before it reads anything: the SESSION_START record is appended to evpn.sessions.v1 (keyed by
   * router address: all of a router's session starts are in one partition, ordered by the broker) and its offset + 1
   * returned once acknowledged. Totally ordered across collector restarts, tasks and clock jumps, with no coordination
   * of our own. Undefined: sessions have no epoch.
   */
  acquireEpoch?: (routerAddress: string) => Promise<bigint>;
}

const MESSAGE_NAMES: Record<BmpMessage['kind'], string> = {
  'route-monitoring': 'route_monitoring',
  stats: 'statistics_report',
  'peer-down': 'peer_down',
  'peer-up': 'peer_up',
  initiation: 'initiation',
  termination: 'termination',
  mirroring: 'route_mirroring',
  unknown: 'unknown',
};

const NO_ADD_PATH: ReadonlySet<string> = new Set();
const wallClockUs = () => BigInt(Date.now()) * 1000n;

export class BmpSession {
  /** The router this session reports for; a provisional one until the first Peer Up (or Loc-RIB route) tells its BGP ID. */
  private router: RouterRib<AttributeSummary>;
  private identified = false;
  private defaultEncapsulation: DefaultEncapsulation = 'vxlan';
  private quietTimer: NodeJS.Timeout | undefined;
  private lastResyncRouteMs = 0;
  private closed = false;
  /** The session's first dump is not complete yet (RESYNC_COMPLETE not sent). */
  private syncPending = true;
  /** Views whose End-of-RIB came during the first dump. */
  private readonly eorViews = new Set<string>();
  /** Some enqueue since the last look said the publisher's buffer is full: the shell pauses the socket. */
  private full = false;
  /** Route events since the last flush, by route type (0..MAX_NAMED_ROUTE_TYPE, then "other") × action. */
  private readonly routeCounts = new Array<number>((MAX_NAMED_ROUTE_TYPE + 2) * 2).fill(0);
  private readonly encoder = new RoutePartEncoder();
  /** The route event being encoded: one object, refilled per event (the hot path allocates nothing for it). */
  private readonly part: RoutePart = {
    route: undefined as unknown as EvpnRoute,
    action: 0,
    reason: 0,
    seq: 0n,
    timestampUs: 0n,
    vni: 0,
    l3Vni: 0,
    mplsLabels: [],
    encapsulation: 0,
    vniSource: 0,
    srv6Sid: '',
    evi: '',
    nextHop: '',
  };
  /** The last view whose context bytes were taken, and them: a message's routes share one view. */
  private ctxView: ViewState<AttributeSummary> | undefined;
  private ctxBytes: Uint8Array | undefined;
  private readonly nowUs: () => bigint;

  /** The UPDATE being applied: its attributes are encoded once, for its first advertisement that is not a repeat. */
  private current: { attrs: PathAttributes; bytes: Uint8Array | undefined } | undefined;

  /** What the RIB reports, published. */
  private readonly sink: RouteChangeSink<AttributeSummary> = {
    advertise: (view, route, attrs, timestampUs) => {
      const cur = this.current!;
      cur.bytes ??= encodeFields(attributeFields(cur.attrs));
      this.emitRoute(view, route, RouteAction.ROUTE_ACTION_ADVERTISE, WR.WITHDRAW_REASON_UNSPECIFIED, attrs, timestampUs, cur.bytes);
    },
    withdraw: (view, route, reason, attrs, timestampUs) => {
      this.emitRoute(view, route, RouteAction.ROUTE_ACTION_WITHDRAW, reason, attrs ?? unknownAttributes(this.defaultEncapsulation), timestampUs, undefined);
    },
  };

  constructor(
    readonly remoteAddress: string,
    private readonly ctx: SessionContext,
    /** Closes this session's socket (when another session takes the router over). */
    private readonly closeSocket: () => void = () => {},
    /** The session's epoch (0n: none). */
    readonly epoch: bigint = 0n,
  ) {
    this.nowUs = ctx.nowUs ?? wallClockUs;
    this.router = new RouterRib(remoteAddress, remoteAddress);
    this.router.connected = true;
    this.refreshFabric();
  }

  get routerId(): string {
    return this.router.id;
  }

  /** Whether an enqueue said the publisher is full since the last call (the shell then pauses the socket). */
  takeBackpressure(): boolean {
    const f = this.full;
    this.full = false;
    return f;
  }

  /** Handles one framed BMP message. Never throws for bad input. */
  handle(buf: Buffer): void {
    if (this.closed) return;
    this.ctxView = undefined; // the context (router, peer) may change between messages: taken again once per message
    let msg: BmpMessage;
    try {
      msg = decodeBmpMessage(buf);
    } catch (err) {
      this.badMessage(err, buf);
      return;
    }
    this.ctx.metrics.messages.inc({ type: MESSAGE_NAMES[msg.kind] });
    switch (msg.kind) {
      case 'initiation':
        this.router.sysName = msg.sysName ?? this.router.sysName;
        this.router.sysDescr = msg.sysDescr ?? this.router.sysDescr;
        this.refreshFabric();
        this.emitSession({ kind: SessionEventKind.SESSION_EVENT_KIND_ROUTER_UP, sysDescr: this.router.sysDescr, initStrings: msg.strings });
        break;
      case 'termination':
        this.emitSession({
          kind: SessionEventKind.SESSION_EVENT_KIND_ROUTER_DOWN,
          terminationReason: msg.reason ?? BmpTerminationReason.Unspecified,
          detail: msg.strings.join('; ') || 'BMP Termination',
        });
        this.end();
        break;
      case 'peer-up':
        this.peerUp(msg);
        break;
      case 'peer-down':
        this.peerDown(msg);
        break;
      case 'route-monitoring':
        this.routeMonitoring(msg.peer, msg.bgp, msg.bgpOffset);
        break;
      case 'unknown':
        // RFC 7854 §4.1: skip what we do not understand.
        this.ctx.metrics.unknownTypes.inc();
        break;
      case 'stats':
      case 'mirroring':
        break;
    }
  }

  /** The TCP session ended (or was cut): the router's routes become stale, not withdrawn. */
  close(detail: string): void {
    if (!this.closed) this.emitSession({ kind: SessionEventKind.SESSION_EVENT_KIND_ROUTER_DOWN, terminationReason: TERMINATION_REASON_SESSION_LOST, detail });
    this.end();
  }

  /** Another session of the same router took over: this one closes, its socket too. */
  takenOver(by: string): void {
    this.close(`taken over by a new BMP session from ${by} (this one was half-open)`);
    this.closeSocket();
  }

  private end(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    if (this.closed) return;
    this.closed = true;
    if (this.ctx.owners.get(this.router.id) === this) {
      this.ctx.owners.delete(this.router.id);
      this.router.sessionLost();
    }
  }

  private refreshFabric(): void {
    const r = this.router;
    r.fabric = this.ctx.resolver.resolve({ address: r.address, sysName: r.sysName, bgpId: r.bgpId });
    this.defaultEncapsulation = this.ctx.resolver.encapsulationOf(r.fabric);
  }

  /** The first Peer Up names the router's own BGP ID: take over the RIB of an earlier session of the same router. */
  private identify(bgpId: string): void {
    if (this.identified || bgpId === '0.0.0.0') return;
    this.identified = true;
    const id = `${this.remoteAddress}/${bgpId}`;
    const provisional = this.router;
    const holder = this.ctx.owners.get(id);
    if (holder && holder !== this) {
      // Half-open: the router reconnected while its previous session still looks alive. Nothing is silently replaced.
      this.ctx.metrics.takeovers.inc();
      this.ctx.logger.warn(
        { router: this.remoteAddress, bgpId },
        'router reconnected while its previous BMP session was still open: closing that session; its routes are stale until re-sent',
      );
      holder.takenOver(this.remoteAddress);
    }
    const prev = this.ctx.state.routers.get(id);
    if (prev) {
      prev.resume();
      prev.sysName = provisional.sysName || prev.sysName;
      prev.sysDescr = provisional.sysDescr || prev.sysDescr;
      for (const [k, v] of provisional.peers) prev.peers.set(k, v);
      this.router = prev;
      if (prev.resyncing) this.armQuietTimer();
    } else {
      // The provisional RIB becomes the router's (anything it learnt before the router was named stays).
      provisional.id = id;
      this.ctx.state.routers.set(id, provisional);
    }
    this.ctx.owners.set(id, this);
    this.router.connected = true;
    this.router.bgpId = bgpId;
    this.refreshFabric();
    // A router with nothing to send still completes its dump after the quiet time.
    this.lastResyncRouteMs = Date.now();
    this.armQuietTimer();
  }

  private peerUp(msg: Extract<BmpMessage, { kind: 'peer-up' }>): void {
    this.identify(msg.peer.peerType === BmpPeerType.LocRibInstance ? msg.peer.bgpId : msg.sentOpen.bgpId);
    const sent = msg.sentOpen.capabilities;
    const recv = msg.receivedOpen.capabilities;
    // RFC 7911 §4: path ids are in UPDATEs the peer sends when it may send and the router may receive.
    const addPath = new Set<string>();
    for (const [k, mode] of recv.addPath) {
      const local = sent.addPath.get(k) ?? 0;
      if (mode & AddPathMode.Send && local & AddPathMode.Receive) addPath.add(k);
    }
    const fourOctetAs = sent.fourOctetAs && recv.fourOctetAs;
    this.router.peerUp(msg.peer, { fourOctetAs, addPath });
    this.emitSession(
      {
        kind: SessionEventKind.SESSION_EVENT_KIND_PEER_UP,
        peer: this.peerProto(msg.peer, msg.tableName ?? ''),
        localAddress: msg.localAddress,
        localPort: msg.localPort,
        remotePort: msg.remotePort,
        localAsn: sent.asn4 ?? msg.sentOpen.asn,
        localBgpId: msg.sentOpen.bgpId,
        fourOctetAs,
        addPathAfiSafis: [...addPath],
        holdTime: Math.min(msg.sentOpen.holdTime, msg.receivedOpen.holdTime),
      },
      msg.peer,
    );
  }

  private peerDown(msg: Extract<BmpMessage, { kind: 'peer-down' }>): void {
    const locRib = msg.peer.peerType === BmpPeerType.LocRibInstance;
    this.router.peerDown(msg.peer, msg.tableName, locRib, this.timestampOf(msg.peer), this.sink);
    this.flushRouteCounts();
    this.emitSession(
      {
        kind: SessionEventKind.SESSION_EVENT_KIND_PEER_DOWN,
        peer: this.peerProto(msg.peer, msg.tableName ?? ''),
        peerDownReason: msg.reason,
        notificationCode: msg.notification?.code,
        notificationSubcode: msg.notification?.subcode,
        detail: msg.fsmEvent !== undefined ? `FSM event ${msg.fsmEvent}` : '',
      },
      msg.peer,
    );
  }

  private routeMonitoring(peer: PerPeerHeader, bgp: Buffer, bgpOffset: number): void {
    // RFC 9069 §4.1: a Loc-RIB per-peer header carries the router's own BGP ID.
    if (!this.identified && peer.peerType === BmpPeerType.LocRibInstance) this.identify(peer.bgpId);
    const router = this.router;
    if (router.disabled(peer)) {
      this.ctx.metrics.ignoredUpdates.inc({ reason: router.disabled(peer)! });
      return;
    }
    const popts = router.peerOptions(peer);
    const opts = { fourOctetAs: peer.legacyAsPath ? false : (popts?.fourOctetAs ?? true), addPath: popts?.addPath ?? NO_ADD_PATH };
    const upd = decodeBgpUpdate(bgp, opts, bgpOffset);
    for (const o of upd.other) this.ctx.metrics.otherAfiSafi.inc({ afi_safi: `${o.afi}/${o.safi}` });
    if (upd.invalidRoutes > 0) this.ctx.metrics.invalidRoutes.inc({ route_type: '0' }, upd.invalidRoutes);
    const handling = upd.errors ? this.updateErrors(peer, upd) : undefined;
    const view = router.view(peer, ribViewOf(peer), '');
    const timestampUs = this.timestampOf(peer);
    let attrs: AttributeSummary | undefined;
    if (upd.advertised.length > 0 && handling !== ErrorHandling.TreatAsWithdraw) {
      const enc = this.defaultEncapsulation;
      const key = attributesFingerprint(upd.attributes, enc);
      attrs = this.ctx.state.intern(key, () => summarizeAttributes(upd.attributes, enc, key));
    }
    this.current = { attrs: upd.attributes, bytes: undefined };
    const resyncing = router.resyncing;
    const outcome = router.update(
      view,
      { advertised: upd.advertised, withdrawn: upd.withdrawn, endOfRib: upd.endOfRib, handling, attrs },
      timestampUs,
      this.sink,
    );
    this.current = undefined;
    const repeats = router.takeRepeats();
    if (repeats > 0) this.ctx.metrics.duplicates.inc(repeats);
    this.flushRouteCounts();
    if (outcome === 'disabled') this.peerDisabled(peer, handling === ErrorHandling.SessionReset ? 'session-reset' : 'afi-safi-disable');
    if (router.resyncing) {
      this.lastResyncRouteMs = Date.now();
      this.armQuietTimer();
    } else if (resyncing)
      this.resyncComplete(); // End-of-RIB swept the last stale routes
    else if (this.syncPending) {
      // A fresh RIB: the dump is complete once every view sent End-of-RIB (RFC 4724 §2), else after the quiet time.
      if (upd.endOfRib) this.eorViews.add(view.key);
      if ([...router.views.keys()].every((k) => this.eorViews.has(k))) this.resyncComplete();
      else {
        this.lastResyncRouteMs = Date.now();
        this.armQuietTimer();
      }
    }
  }

  /** Counts and logs an UPDATE's RFC 7606 errors; returns the strongest class. */
  private updateErrors(peer: PerPeerHeader, upd: DecodedUpdate): ErrorHandling | undefined {
    for (const e of upd.errors ?? []) {
      const cls = ERROR_HANDLING_NAMES[e.handling];
      this.ctx.metrics.updateErrors.inc({ class: cls });
      this.ctx.logger.warn(
        {
          router: this.router.address,
          sysName: this.router.sysName,
          peer: peer.address,
          class: cls,
          attributeType: e.attributeType,
          offset: e.context.offset,
          hex: e.context.hex,
          err: e.message,
        },
        `malformed BGP UPDATE handled as ${cls} (RFC 7606)`,
      );
    }
    return strongestHandling(upd);
  }

  private peerDisabled(peer: PerPeerHeader, why: PeerDisabled): void {
    this.emitSession(
      {
        kind: SessionEventKind.SESSION_EVENT_KIND_PEER_AFI_SAFI_DISABLED,
        peer: this.peerProto(peer, ''),
        detail: `${why}: an UPDATE of this peer could not be parsed; its EVPN routes are withdrawn and its UPDATEs ignored until its next Peer Up`,
      },
      peer,
    );
  }

  /** The per-peer header timestamp as the event's (µs); the collector's clock when the router sent zero. */
  private timestampOf(peer: PerPeerHeader): bigint {
    return peer.timestampUs === 0n ? this.nowUs() : peer.timestampUs;
  }

  /** After a reconnect: once no route came for the quiet time, every view's stale routes go. */
  private armQuietTimer(): void {
    if (this.quietTimer || this.closed) return;
    const wait = Math.max(1, this.ctx.resyncQuietMs - (Date.now() - this.lastResyncRouteMs));
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      if (this.closed || !(this.router.resyncing || this.syncPending)) return;
      if (Date.now() - this.lastResyncRouteMs < this.ctx.resyncQuietMs) return this.armQuietTimer();
      this.ctxView = undefined;
      this.router.sweep(() => true, this.nowUs(), this.sink);
      this.flushRouteCounts();
      this.resyncComplete();
    }, wait);
    this.quietTimer.unref();
  }

  private resyncComplete(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
    this.syncPending = false;
    this.emitSession({
      kind: SessionEventKind.SESSION_EVENT_KIND_RESYNC_COMPLETE,
      detail: 'table dump complete: stale routes withdrawn, paths of older session epochs are gone',
    });
  }

  /** Publishes one route change. */
  private emitRoute(
    view: ViewState<AttributeSummary>,
    route: EvpnRoute,
    action: RouteAction,
    reason: WithdrawReason,
    attrs: AttributeSummary,
    timestampUs: bigint,
    attrBytes: Uint8Array | undefined,
  ): void {
    const p = this.part;
    labelsInto(route, attrs, p);
    p.route = route;
    p.action = action;
    p.reason = reason;
    p.seq = this.ctx.nextSeq();
    p.timestampUs = timestampUs;
    p.nextHop = attrs.nextHop;
    const bytes = this.encoder.encode(p);
    if (view !== this.ctxView) {
      this.ctxView = view;
      this.ctxBytes = this.contextBytes(view);
    }
    if (!this.ctx.publisher.enqueue(TOPICS.routes, routeKafkaKey(route), joinParts(this.ctxBytes!, attrBytes, bytes))) this.full = true;
    const t = route.routeType;
    const i = (t > MAX_NAMED_ROUTE_TYPE ? MAX_NAMED_ROUTE_TYPE + 1 : t) * 2 + (action === RouteAction.ROUTE_ACTION_ADVERTISE ? 0 : 1);
    this.routeCounts[i] = (this.routeCounts[i] ?? 0) + 1;
    if (route.raw) this.ctx.metrics.undecodedRoutes.inc({ route_type: String(t) });
  }

  /** The encoded context part of a view's events, re-encoded only when the router or peer identity changed. */
  private contextBytes(view: ViewState<AttributeSummary>): Uint8Array {
    const c = {
      router: this.router,
      peer: view.peer,
      ribView: view.ribView,
      tableName: view.tableName,
      collectorId: this.ctx.collectorId,
      sessionEpoch: this.epoch,
    };
    const signature = contextSignature(c);
    if (view.encoded?.signature !== signature) view.encoded = { signature, bytes: encodeFields(contextFields(c)) };
    return view.encoded.bytes;
  }

  /** Route counters are added per UPDATE (a labelled prom-client increment per route costs more than decoding it). */
  private flushRouteCounts(): void {
    const counts = this.routeCounts;
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i]!;
      if (n === 0) continue;
      counts[i] = 0;
      const type = i >> 1;
      this.ctx.metrics.routes.inc({ route_type: type > MAX_NAMED_ROUTE_TYPE ? 'other' : String(type), action: i & 1 ? 'withdraw' : 'advertise' }, n);
    }
  }

  private peerProto(p: PerPeerHeader, tableName: string) {
    return { type: p.peerType, address: p.address, asn: p.asn, bgpId: p.bgpId, distinguisher: p.distinguisher, ribView: ribViewOf(p), tableName };
  }

  /** A session event, stamped with the per-peer header's time when the message has one the router set, and with the receive time. */
  private emitSession(ev: ISessionEvent, peer?: PerPeerHeader): void {
    const receivedUs = this.nowUs();
    const full: ISessionEvent = {
      fabric: this.router.fabric,
      router: { address: this.router.address, sysName: this.router.sysName, bgpId: this.router.bgpId },
      timestampUs: longOf(peer && peer.timestampUs !== 0n ? peer.timestampUs : receivedUs),
      receivedUs: longOf(receivedUs),
      collectorId: this.ctx.collectorId,
      collectorSeq: longOf(this.ctx.nextSeq()),
      ...(this.epoch > 0n ? { sessionEpoch: longOf(this.epoch) } : {}),
      ...ev,
    };
    if (!this.ctx.publisher.enqueue(TOPICS.sessions, this.router.address, SessionEvent.encode(full).finish())) this.full = true;
  }

  private badMessage(err: unknown, buf: Buffer): void {
    this.ctx.metrics.decodeErrors.inc({ kind: 'message' });
    const e = err instanceof DecodeError ? err : undefined;
    this.ctx.logger.warn(
      {
        router: this.router.address,
        sysName: this.router.sysName,
        offset: e?.context.offset,
        hex: e?.context.hex ?? buf.subarray(0, 64).toString('hex'),
        err: err instanceof Error ? err.message : String(err),
      },
      'skipped a malformed BMP message; the session goes on',
    );
  }
}
