/**
 * One BMP session (one router's TCP connection), processed strictly in order: each framed message is decoded, applied
 * to the router's state, and turned into events handed to the publisher before the next message is looked at, so a
 * router's events never overtake each other.
 *
 * Bad input loses nothing else: a malformed message or UPDATE is counted, logged (router, offset, ≤ 64 bytes of hex)
 * and skipped (RFC 7606's spirit); only a framing error, which leaves no way to find the next message, ends the session.
 */
import type { Logger } from 'pino';
import { type ISessionEvent, RouteAction, SessionEvent, SessionEventKind, WithdrawReason } from '../../schemas/events.js';
import { TOPICS } from '../../schemas/topics.js';
import {
  type BmpMessage,
  DecodeError,
  decodeBgpUpdate,
  decodeBmpMessage,
  decodeEvpnRoute,
  type EvpnRoute,
  type PathAttributes,
  type PerPeerHeader,
  Reader,
} from '../bmp/index.js';
import type { FabricResolver } from '../fabric/fabric-resolver.js';
import type { CollectorMetrics } from '../metrics.js';
import type { EventPublisher } from '../publish/event-publisher.js';
import { type CollectorState, type RouteEntry, RouterState, type ViewState } from '../state/router-state.js';
import { peerKeyOf, ribViewOf } from './rib-view.js';
import {
  attributeFields,
  attributesFingerprint,
  contextFields,
  contextSignature,
  encodeFields,
  joinParts,
  longOf,
  type RouteEventStamp,
  routeKafkaKey,
  routeVnis,
} from './route-event.js';
import { RoutePartEncoder } from './route-part-encoder.js';

export interface SessionContext {
  state: CollectorState;
  publisher: EventPublisher;
  resolver: FabricResolver;
  metrics: CollectorMetrics;
  logger: Logger;
  collectorId: string;
  nextSeq: () => bigint;
  /** After a reconnect, a table counts as re-sent once no route arrived for this long (or End-of-RIB came). */
  resyncQuietMs: number;
  /** The publisher's buffer size at which sockets pause. */
  maxBufferedBytes: number;
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

const NO_ADD_PATH: Set<string> = new Set();

/** The per-peer header timestamp as the event's (µs); the collector's clock when the router sent zero. */
function timestampOf(peer: PerPeerHeader): bigint {
  return peer.timestampUs === 0n ? BigInt(Date.now()) * 1000n : peer.timestampUs;
}

/** The route an entry holds, decoded again from its NLRI bytes (they decoded when they arrived). */
function routeOfEntry(e: RouteEntry): EvpnRoute {
  const bytes = Buffer.from(e.nlri, 'latin1');
  return decodeEvpnRoute(e.routeType, new Reader(bytes, 0, bytes.length, 'held EVPN route'), e.pathId);
}

export class BmpSession {
  /** The router this session reports for; a provisional one until the first Peer Up tells its BGP ID. */
  private router: RouterState;
  private identified = false;
  private quietTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Route events since the last flush, by route type (0..11, 12 = higher) × action. */
  private readonly routeCounts = new Array<number>(26).fill(0);
  private readonly encoder = new RoutePartEncoder();

  constructor(
    readonly remoteAddress: string,
    private readonly ctx: SessionContext,
  ) {
    this.router = new RouterState(remoteAddress, remoteAddress);
    this.router.connected = true;
    this.router.fabric = ctx.resolver.resolve({ address: remoteAddress });
  }

  get routerId(): string {
    return this.router.id;
  }

  /** Handles one framed BMP message. Never throws for bad input. */
  handle(buf: Buffer): void {
    let msg: BmpMessage;
    try {
      msg = decodeBmpMessage(buf);
    } catch (err) {
      this.badInput('message', err, buf);
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
          terminationReason: msg.reason ?? 1,
          detail: msg.strings.join('; ') || 'BMP Termination',
        });
        this.closed = true;
        break;
      case 'peer-up':
        this.peerUp(msg);
        break;
      case 'peer-down':
        this.peerDown(msg);
        break;
      case 'route-monitoring':
        this.routeMonitoring(msg.peer, msg.bgp, msg.bgpOffset, buf);
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

  /** The TCP session ended (Termination or loss): the router's routes become stale, not withdrawn. */
  close(detail: string): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.router.connected = false;
    if (!this.closed) this.emitSession({ kind: SessionEventKind.SESSION_EVENT_KIND_ROUTER_DOWN, terminationReason: 65535, detail });
    this.closed = true;
  }

  private refreshFabric(): void {
    this.router.fabric = this.ctx.resolver.resolve({ address: this.router.address, sysName: this.router.sysName, bgpId: this.router.bgpId });
  }

  /** The first Peer Up names the router's own BGP ID: adopt the state of an earlier session of the same router. */
  private identify(bgpId: string): void {
    if (this.identified || bgpId === '0.0.0.0') return;
    this.identified = true;
    const id = `${this.remoteAddress}/${bgpId}`;
    const prev = this.ctx.state.routers.get(id);
    const provisional = this.router;
    if (prev && !prev.connected) {
      prev.gen++;
      prev.connected = true;
      prev.resyncing = prev.routeCount() > 0;
      prev.sysName = provisional.sysName || prev.sysName;
      prev.sysDescr = provisional.sysDescr || prev.sysDescr;
      this.router = prev;
      if (prev.resyncing) this.armQuietTimer();
    } else {
      const fresh = new RouterState(id, this.remoteAddress);
      fresh.connected = true;
      fresh.sysName = provisional.sysName;
      fresh.sysDescr = provisional.sysDescr;
      for (const [k, v] of provisional.peers) fresh.peers.set(k, v);
      this.router = fresh;
      this.ctx.state.routers.set(id, fresh);
    }
    this.router.bgpId = bgpId;
    this.refreshFabric();
  }

  private peerUp(msg: Extract<BmpMessage, { kind: 'peer-up' }>): void {
    this.identify(msg.peer.peerType === 3 ? msg.peer.bgpId : msg.sentOpen.bgpId);
    const sent = msg.sentOpen.capabilities;
    const recv = msg.receivedOpen.capabilities;
    // RFC 7911 §4: path ids are in UPDATEs the peer sends when it may send (2|3) and the router may receive (1|3).
    const addPath = new Set<string>();
    for (const [k, mode] of recv.addPath) {
      const local = sent.addPath.get(k) ?? 0;
      if (mode & 2 && local & 1) addPath.add(k);
    }
    this.router.peers.set(peerKeyOf(msg.peer), { fourOctetAs: sent.fourOctetAs && recv.fourOctetAs, addPath });
    this.emitSession({
      kind: SessionEventKind.SESSION_EVENT_KIND_PEER_UP,
      peer: this.peerProto(msg.peer, ribViewOf(msg.peer), msg.tableName ?? ''),
      localAddress: msg.localAddress,
      localPort: msg.localPort,
      remotePort: msg.remotePort,
      localAsn: sent.asn4 ?? msg.sentOpen.asn,
      localBgpId: msg.sentOpen.bgpId,
      fourOctetAs: sent.fourOctetAs && recv.fourOctetAs,
      addPathAfiSafis: [...addPath],
      holdTime: Math.min(msg.sentOpen.holdTime, msg.receivedOpen.holdTime),
    });
  }

  private peerDown(msg: Extract<BmpMessage, { kind: 'peer-down' }>): void {
    const pk = peerKeyOf(msg.peer);
    this.router.peers.delete(pk);
    // Every route this peer reported, in every view, is gone.
    for (const [key, view] of this.router.views) {
      if (peerKeyOf(view.peer) !== pk) continue;
      if (msg.tableName !== undefined && msg.peer.peerType === 3 && view.tableName !== msg.tableName) continue;
      this.withdrawAll(view, WithdrawReason.WITHDRAW_REASON_PEER_DOWN, () => true, timestampOf(msg.peer));
      this.router.views.delete(key);
    }
    this.emitSession({
      kind: SessionEventKind.SESSION_EVENT_KIND_PEER_DOWN,
      peer: this.peerProto(msg.peer, ribViewOf(msg.peer), msg.tableName ?? ''),
      peerDownReason: msg.reason,
      notificationCode: msg.notification?.code,
      notificationSubcode: msg.notification?.subcode,
      detail: msg.fsmEvent !== undefined ? `FSM event ${msg.fsmEvent}` : '',
    });
  }

  private routeMonitoring(peer: PerPeerHeader, bgp: Buffer, bgpOffset: number, whole: Buffer): void {
    // RFC 9069 §4.1: a Loc-RIB per-peer header carries the router's own BGP ID.
    if (!this.identified && peer.peerType === 3) this.identify(peer.bgpId);
    const popts = this.router.peers.get(peerKeyOf(peer));
    const opts = { fourOctetAs: peer.legacyAsPath ? false : (popts?.fourOctetAs ?? true), addPath: popts?.addPath ?? NO_ADD_PATH };
    let upd: ReturnType<typeof decodeBgpUpdate>;
    try {
      upd = decodeBgpUpdate(bgp, opts, bgpOffset);
    } catch (err) {
      this.badInput('update', err, whole);
      return;
    }
    for (const o of upd.other) this.ctx.metrics.otherAfiSafi.inc({ afi_safi: `${o.afi}/${o.safi}` });
    const ribView = ribViewOf(peer);
    const view = this.viewFor(peer, ribView, '');
    const timestampUs = timestampOf(peer);
    const ctxBytes = this.contextBytes(view); // cached per view: re-encoded only when the router or peer changed
    if (upd.advertised.length > 0) {
      const attrs = upd.attributes;
      const attrFp = this.ctx.state.intern(attributesFingerprint(attrs));
      const nextHop = attrs.nextHop ?? '';
      let attrBytes: Uint8Array | undefined; // encoded once, for the first route of the UPDATE that is not a repeat
      let repeats = 0;
      for (const route of upd.advertised) {
        const entryKey = route.pathId ? `${route.key}#${route.pathId}` : route.key;
        const nlri = route.nlri.toString('latin1');
        const existing = view.routes.get(entryKey);
        if (existing && existing.attrs === attrFp && existing.nlri === nlri) {
          existing.gen = this.router.gen;
          repeats++;
          continue;
        }
        attrBytes ??= encodeFields(attributeFields(attrs));
        const vni = this.emitRoute(
          route,
          { action: RouteAction.ROUTE_ACTION_ADVERTISE, reason: WithdrawReason.WITHDRAW_REASON_UNSPECIFIED, nextHop, seq: this.ctx.nextSeq(), timestampUs },
          attrs,
          ctxBytes,
          attrBytes,
        );
        view.routes.set(entryKey, { attrs: attrFp, nlri, routeType: route.routeType, pathId: route.pathId, nextHop, vni, gen: this.router.gen });
      }
      if (repeats > 0) this.ctx.metrics.duplicates.inc(repeats);
    }
    for (const route of upd.withdrawn) {
      const entryKey = route.pathId ? `${route.key}#${route.pathId}` : route.key;
      const existing = view.routes.get(entryKey);
      view.routes.delete(entryKey);
      // A withdrawal of a route this collector never saw (e.g. it restarted) is still published: the index may know it.
      const stamp = {
        action: RouteAction.ROUTE_ACTION_WITHDRAW,
        reason: WithdrawReason.WITHDRAW_REASON_EXPLICIT,
        nextHop: existing?.nextHop ?? '',
        seq: this.ctx.nextSeq(),
        timestampUs,
        knownVni: existing?.vni,
      };
      this.emitRoute(existing ? routeOfEntry(existing) : route, stamp, undefined, ctxBytes, undefined);
    }
    this.flushRouteCounts();
    if (this.router.resyncing) {
      if (upd.endOfRib) this.sweepStale((v) => v === view);
      else this.armQuietTimer();
    }
  }

  private viewFor(peer: PerPeerHeader, ribView: number, tableName: string): ViewState {
    const key = `${peer.address}|${peer.distinguisher}|${ribView}|${tableName}`;
    let v = this.router.views.get(key);
    if (!v) this.router.views.set(key, (v = { key, peer, ribView, tableName, routes: new Map() }));
    else v.peer = peer; // latest timestamp for withdrawal events
    return v;
  }

  private armQuietTimer(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = undefined;
      if (!this.closed && this.router.resyncing) this.sweepStale(() => true);
    }, this.ctx.resyncQuietMs);
    this.quietTimer.unref();
  }

  /** Withdraws routes not re-sent since the reconnect, in the views selected; completes the resync when none is left. */
  private sweepStale(select: (v: ViewState) => boolean): void {
    const gen = this.router.gen;
    const now = BigInt(Date.now()) * 1000n;
    for (const view of this.router.views.values()) {
      if (select(view)) this.withdrawAll(view, WithdrawReason.WITHDRAW_REASON_RESYNC_STALE, (e) => e.gen < gen, now);
    }
    const stillStale = [...this.router.views.values()].some((v) => [...v.routes.values()].some((e) => e.gen < gen));
    if (!stillStale) {
      this.router.resyncing = false;
      if (this.quietTimer) clearTimeout(this.quietTimer);
      this.emitSession({ kind: SessionEventKind.SESSION_EVENT_KIND_RESYNC_COMPLETE, detail: 'stale routes withdrawn after reconnect' });
    }
  }

  private withdrawAll(view: ViewState, reason: number, which: (e: RouteEntry) => boolean, timestampUs: bigint): void {
    const ctxBytes = this.contextBytes(view);
    for (const [k, e] of view.routes) {
      if (!which(e)) continue;
      view.routes.delete(k);
      this.emitRoute(
        routeOfEntry(e),
        { action: RouteAction.ROUTE_ACTION_WITHDRAW, reason, nextHop: e.nextHop, seq: this.ctx.nextSeq(), timestampUs, knownVni: e.vni },
        undefined,
        ctxBytes,
        undefined,
      );
    }
    this.flushRouteCounts();
  }

  /** Publishes one route change; returns the VNI it was published with. */
  private emitRoute(
    route: EvpnRoute,
    stamp: RouteEventStamp,
    attrs: PathAttributes | undefined,
    ctxBytes: Uint8Array,
    attrBytes: Uint8Array | undefined,
  ): number {
    const { vni, l3Vni } = routeVnis(route, stamp, attrs);
    const part = this.encoder.encode({
      route,
      action: stamp.action,
      reason: stamp.reason,
      seq: stamp.seq,
      timestampUs: stamp.timestampUs,
      vni,
      l3Vni,
      nextHop: stamp.nextHop,
    });
    this.ctx.publisher.enqueue(TOPICS.routes, routeKafkaKey(route), joinParts(ctxBytes, attrBytes, part));
    const i = Math.min(route.routeType, 12) * 2 + (stamp.action === RouteAction.ROUTE_ACTION_ADVERTISE ? 0 : 1);
    this.routeCounts[i] = (this.routeCounts[i] ?? 0) + 1;
    return vni;
  }

  /** The encoded context part of a view's events, re-encoded only when the router or peer identity changed. */
  private contextBytes(view: ViewState): Uint8Array {
    const c = { router: this.router, peer: view.peer, ribView: view.ribView, tableName: view.tableName, collectorId: this.ctx.collectorId };
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
      this.ctx.metrics.routes.inc({ route_type: type === 12 ? 'other' : String(type), action: i & 1 ? 'withdraw' : 'advertise' }, n);
    }
  }

  private peerProto(p: PerPeerHeader, ribView: number, tableName: string) {
    return { type: p.peerType, address: p.address, asn: p.asn, bgpId: p.bgpId, distinguisher: p.distinguisher, ribView, tableName };
  }

  private emitSession(ev: ISessionEvent): void {
    const full: ISessionEvent = {
      fabric: this.router.fabric,
      router: { address: this.router.address, sysName: this.router.sysName, bgpId: this.router.bgpId },
      timestampUs: longOf(BigInt(Date.now()) * 1000n),
      collectorId: this.ctx.collectorId,
      collectorSeq: longOf(this.ctx.nextSeq()),
      ...ev,
    };
    this.ctx.publisher.enqueue(TOPICS.sessions, this.router.address, SessionEvent.encode(full).finish());
  }

  private badInput(kind: string, err: unknown, buf: Buffer): void {
    this.ctx.metrics.decodeErrors.inc({ kind });
    const e = err instanceof DecodeError ? err : undefined;
    this.ctx.logger.warn(
      {
        router: this.router.address,
        sysName: this.router.sysName,
        offset: e?.context.offset,
        hex: e?.context.hex ?? buf.subarray(0, 64).toString('hex'),
        err: err instanceof Error ? err.message : String(err),
      },
      `skipped a malformed BMP ${kind}; the session goes on`,
    );
  }
}
