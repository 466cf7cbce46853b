/**
 * The MAC index function: fed MSK batches of evpn.routes.v1 (and evpn.sessions.v1), it keeps the global MAC/VNI index,
 * the move history and the flap / duplicate / sticky alerts in DynamoDB. Stateless: everything it knows is in the table.
 *
 * Each evpn.routes.v1 record is a RouteEventBatch (the collector packs a partition's events). Per batch: type-2 events are grouped by MAC and VNI (one MAC's events share a partition, so arrive in order),
 * each group is applied to its item in memory (coalescing the several RIB views and route reflectors that report one
 * route), and only items that changed are written — side effects (IP bindings, history, alerts) first and the item
 * itself last, with a version condition, so a retried batch finds its work done and writes nothing twice.
 *
 * Session epochs: a path's events order by (session epoch, collector sequence) (route-changes.ts ordOf). A router-segment
 * item notes each segment (VNI or EVI) a router reports MACs in, written before the first such MAC item (once per warm
 * instance: almost no writes). A RESYNC_COMPLETE session event (the router's table was dumped again in a new epoch)
 * withdraws that router's paths of older epochs, found through its segments' MAC lists (gsi1): the paths a restarted
 * collector, or another collector task, cannot name. The withdrawal is an event
 * at the start of the new epoch, so a path the new session re-sent (later in that epoch) is untouched, and one re-sent
 * after it (its partition behind the sessions partition) comes back.
 *
 * The Lambda entry point is infra/aws/lambda/mac-index.ts (configuration and clients built there, at cold start).
 */
import { type Logger, pino } from 'pino';
import { usOfMs } from '../../schemas/long.js';
import { indexTable, keys, type MacItem, macSegmentId, type Segment, segmentKey } from '../../schemas/tables/index.js';
import { newPoolStats, type PoolStats, runBounded } from '../shared/bounded-pool.js';
import {
  type Context,
  DeadlineHandBackError,
  type MSKEvent,
  type MskBatchResponse,
  type MskHandler,
  type PartitionFailures,
  type RecordPosition,
  topicPartitionOf,
} from '../shared/msk.js';
import { reportFailures } from '../shared/report-failures.js';
import { noteOrigin, RouteBatchReader } from '../shared/route-batch-reader.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import { type TableDeps, tableOf } from '../shared/store/table-of.js';
import type { Item } from '../shared/store/table-store.js';
import { type AlertPublisher, encodeAlert, noAlertPublisher } from './alert-publisher.js';
import { applyEvents, type MacRouteChange } from './apply-events.js';
import { CountLedger, positionOf, ResyncStoppedError } from './fabric-counts.js';
import { MacIndexStore, type SideEffects } from './mac-index-store.js';
import { DEFAULT_OPTIONS, type MacIndexOptions } from './options.js';
import { type EsChange, epochFloor, epochOfOrd, esChangeOf, macChangeOf } from './route-changes.js';
import { SideEffectBatcher } from './side-effect-batcher.js';
import { createMacIndexSweep, type MacIndexSweep } from './sweep.js';

/** The index table: through the store port (`table`), or a DynamoDB client and the table's name. */
export type MacIndexDeps = TableDeps & {
  alertPublisher?: AlertPublisher;
  options?: Partial<MacIndexOptions>;
  logger?: Logger;
};

export interface MacIndexHandler extends MskHandler {
  store: MacIndexStore;
  /** The MAC pool's occupancy over this handler's invocations (the bench reports it). */
  pool: PoolStats;
  stats: { events: number; routeEvents: number; skipped: number; conflicts: number; resyncs: number; resyncScans: number; resyncWithdrawn: number };
  /** Clears alerts that have been quiet long enough (run periodically: locally a timer, on AWS a schedule). */
  sweepAlerts(nowMs?: number): Promise<number>;
  /** Raises held duplicates and clears quiet alerts (./sweep.ts; every `sweepSeconds`). */
  sweep: MacIndexSweep['sweep'];
}

const MAX_CONFLICT_RETRIES = 5;

/** Where a stopped resync sweep resumes (after the last MAC it finished). */
interface ResyncCursor {
  router: string;
  epoch: string;
  after: string;
}

export function createMacIndexHandler(deps: MacIndexDeps): MacIndexHandler {
  const opts: MacIndexOptions = { ...DEFAULT_OPTIONS, ...deps.options };
  const store = new MacIndexStore(tableOf(deps, indexTable));
  const publisher = deps.alertPublisher ?? noAlertPublisher;
  const log = deps.logger ?? pino({ name: 'mac-index', level: 'warn' });
  const pool = newPoolStats();
  const stats = { events: 0, routeEvents: 0, skipped: 0, conflicts: 0, resyncs: 0, resyncScans: 0, resyncWithdrawn: 0 };
  // Router-segment items this warm instance wrote (idempotent: the cache only saves writes).
  const knownRouterSegments = new Set<string>();
  // Registry items (fabric → VNIs, VTEPs) already written by this warm instance: rewriting them is idempotent, so a
  // cache only saves writes and loses nothing when the container is recycled.
  const registered = new Set<string>();

  interface BatchTally {
    /** Side effects of the invocation's concurrent groups, written together (./side-effect-batcher.ts). */
    fx: SideEffectBatcher;
    /** What the batch's writes (and the items they found) owe the fabric counters (./fabric-counts.ts). */
    ledger: CountLedger;
    /** fabric → VNIs and VTEPs it was seen with in this batch (first time each batch: idempotent registry puts). */
    seen: Map<string, { vnis: Set<number>; vteps: Set<string> }>;
    /** fabric|minute → moves */
    moves: Map<string, number>;
  }

  /** `at`: the source partition and position of the write, recorded on the item for the fabric counters. */
  async function commitGroup(changes: MacRouteChange[], stored: MacItem | undefined, tally: BatchTally, at: { src: string; pos: string }): Promise<void> {
    let current = stored;
    tally.ledger.note(stored);
    for (let attempt = 0; ; attempt++) {
      const r = applyEvents(current, changes, opts);
      if (!r.changed) {
        tally.ledger.note(current);
        return;
      }
      const { item } = r;
      CountLedger.mark(item, at.src, at.pos, current?.location?.fabric);
      const atUs = usOfMs(changes[changes.length - 1]!.atMs);
      // Side effects first, in one batch: idempotent puts keyed by what they describe, so a retry rewrites them harmlessly.
      const fx: SideEffects = { put: [], delete: [] };
      for (const ip of r.ipsRemoved) fx.delete.push(keys.ip(ip, item.mac, item));
      for (const ip of r.ipsAdded) fx.put.push(store.ipItem(ip, item.mac, item, item.location!.fabric, atUs) as unknown as Item);
      for (const h of r.history) fx.put.push(h as unknown as Item);
      for (const k of r.historyDeleted) fx.delete.push(k);
      if (r.dupWatch === 'start') fx.put.push(store.dupWatchItem(item) as unknown as Item);
      else if (r.dupWatch) fx.delete.push(keys.dupWatch(item.mac, item));
      await tally.fx.write(fx);
      for (const a of r.alerts) await store.putAlert(a, opts.flapWindowSeconds);
      if (r.alerts.length) await publisher.publish(r.alerts.map((a) => encodeAlert(a, opts.flapWindowSeconds)));
      try {
        await store.putMacItem(item, current?.version);
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
        stats.conflicts++;
        current = await store.getMacItem(item.mac, item);
        tally.ledger.note(current);
        continue;
      }
      tally.ledger.note(item);
      const loc = item.location;
      if (loc && (!current?.location || current.location.vtep !== loc.vtep || current.location.fabric !== loc.fabric)) {
        let s = tally.seen.get(loc.fabric);
        if (!s) tally.seen.set(loc.fabric, (s = { vnis: new Set(), vteps: new Set() }));
        if (!item.evi) s.vnis.add(item.vni); // an EVI is never counted as a VNI
        for (const v of loc.vteps) s.vteps.add(v);
      }
      for (const h of r.history) {
        if (h.kind !== 'move' || !h.to) continue;
        const k = `${h.to.fabric}|${h.at.slice(0, 16)}`;
        tally.moves.set(k, (tally.moves.get(k) ?? 0) + 1);
      }
      return;
    }
  }

  /**
   * A resync completed in `epoch`: the router's paths of older epochs are withdrawn (at the start of that epoch).
   * Bounded and resumable: before each MAC it asks `stop()` (the invocation's deadline or event budget); when told to
   * stop it throws a ResyncStoppedError whose cause is a DeadlineHandBackError, the record is handed back, and the
   * handler persists `progress.after` (the sweep position of the last MAC finished) once the counters owed up to it
   * are added. The redelivery resumes after that position: the MACs before it are neither read nor written again.
   */
  async function resync(
    r: { router: string; epoch: bigint; atMs: number },
    tally: BatchTally,
    src: string,
    offset: number,
    stop: () => string | undefined,
    progress: { after?: string; done: boolean },
  ): Promise<void> {
    const { router, epoch, atMs } = r;
    stats.resyncs++;
    const floor = epochFloor(epoch);
    const epochKey = String(epoch);
    const older = await store.olderRouterEpochs(router, epochKey);
    if (older.length === 0) {
      progress.done = true;
      return; // the router's first epoch here (its first dump), or a sweep already finished: nothing can be older
    }
    stats.resyncScans++;
    const resumeAfter = await store.resyncCursor(router, epochKey);
    progress.after = resumeAfter;
    let macs = 0;
    let sweepPos = positionOf(offset);
    for (const seg of await store.routerSegments(router)) {
      // Segments sort as their sweep positions do (segment key, then shard, then MAC): one before the cursor's is done.
      if (resumeAfter !== undefined && `${segmentKey(seg)}#` < resumeAfter.slice(0, resumeAfter.lastIndexOf('#') + 1)) continue;
      for await (const page of store.segmentItems(seg, resumeAfter))
        for (const item of page) {
          // The sweep's fixed order (segment, shard, MAC) places each MAC's write within the record (fabric-counts.ts).
          const within = `${item.gsi1pk ?? ''}|${item.mac}`;
          sweepPos = positionOf(offset, within);
          const why = stop();
          if (why !== undefined) throw new ResyncStoppedError(sweepPos, new DeadlineHandBackError(`resync sweep: ${why}`));
          macs++;
          await withdrawOlder(item);
          progress.after = within;
        }
    }
    await store.deleteRouterEpochs(router, older);
    if (resumeAfter !== undefined || progress.after !== undefined) await store.deleteResyncCursor(router, epochKey);
    progress.done = true;
    for (const e of older) knownRouterSegments.delete(`${router}|E${e === '00000000000000000000' ? '' : e}`);
    log.info({ router, epoch: epochKey, macs, resumedAfter: resumeAfter }, 'resync complete: paths of older session epochs withdrawn');

    async function withdrawOlder(item: MacItem): Promise<void> {
      const changes: MacRouteChange[] = [];
      for (const [pathKey, p] of Object.entries(item.paths)) {
        if (p.withdrawn || !p.routers.includes(router) || p.ord >= floor) continue;
        changes.push({
          mac: item.mac,
          vni: item.vni,
          ...(item.evi ? { evi: item.evi } : {}),
          advertise: false,
          pathKey,
          router,
          fabric: p.fabric,
          vtep: p.vtep,
          esi: p.esi,
          seq: 0,
          sticky: false,
          ip: '',
          ord: floor,
          atMs,
          routerMs: 0,
        });
      }
      if (changes.length === 0) {
        tally.ledger.note(item);
        return;
      }
      stats.resyncWithdrawn += changes.length;
      try {
        await commitGroup(changes, item, tally, { src, pos: sweepPos });
      } catch (err) {
        throw new ResyncStoppedError(sweepPos, err);
      }
    }
  }

  /** One invocation's work, read and grouped from its records. */
  interface Batch {
    reader: RouteBatchReader;
    /** One unit per MAC/VNI: its events in order, the first record of each partition it came from, and its last one. */
    groups: Map<string, { changes: MacRouteChange[]; origins: RecordPosition[]; last: RecordPosition }>;
    /** ES members (type 1 and 4 routes): the newest change per ESI and VTEP. */
    es: Map<string, { change: EsChange; origins: RecordPosition[] }>;
    resyncs: { router: string; epoch: bigint; atMs: number; rec: RecordPosition }[];
  }

  /** Decode and group: units of work per MAC/VNI (and per ES member), each remembering where its records sit. */
  async function groupBatch(event: MSKEvent, context: Context | undefined): Promise<Batch> {
    const reader = new RouteBatchReader({ context, deadlineReserveMs: opts.deadlineReserveMs, maxEvents: opts.maxEventsPerInvocation, log });
    const batch: Batch = { reader, groups: new Map(), es: new Map(), resyncs: [] };
    for await (const { rec, read } of reader.read(event)) {
      if (read.kind === 'session') {
        // Only a completed resync matters here: the router's paths of older epochs are gone.
        if (read.resync) batch.resyncs.push({ ...read.resync, atMs: rec.timestamp, rec });
        continue;
      }
      for (const ev of read.events) {
        stats.routeEvents++;
        if (ev.routeType === 2 && ev.mac) {
          const change = macChangeOf(ev, rec.timestamp);
          if (!change) {
            stats.skipped++; // neither a VNI nor an EVI: nowhere to index it
            continue;
          }
          const key = macSegmentId(change.mac, change);
          let g = batch.groups.get(key);
          if (!g) batch.groups.set(key, (g = { changes: [], origins: [], last: rec }));
          noteOrigin(g.origins, rec);
          g.last = rec;
          g.changes.push(change);
        } else {
          const c = esChangeOf(ev, rec.timestamp);
          if (!c) continue;
          const key = `${c.esi}|${c.vtep}`;
          const prev = batch.es.get(key);
          const origins = prev?.origins ?? [];
          noteOrigin(origins, rec);
          if (!prev || c.ord > prev.change.ord) batch.es.set(key, { change: c, origins });
        }
      }
    }
    stats.events += reader.records;
    stats.skipped += reader.undecodableRoutes;
    return batch;
  }

  /**
   * A router's segments are noted before any MAC item of them is written (so a retry cannot skip the note), and so are
   * the epochs its events came in: a resync scans only when the router has paths of an older one. If the notes fail,
   * no group is applied.
   */
  async function noteRouters({ groups, reader }: Batch): Promise<void> {
    const fresh = new Map<string, { router: string; seg: Segment }>();
    const epochs = new Map<string, { router: string; epoch: string }>();
    for (const g of groups.values()) {
      for (const c of g.changes) {
        const id = `${c.router}|${c.vni}|${c.evi ?? ''}`;
        if (c.advertise && !knownRouterSegments.has(id)) fresh.set(id, { router: c.router, seg: c.evi ? { vni: 0, evi: c.evi } : { vni: c.vni } });
        const epoch = epochOfOrd(c.ord);
        const eid = `${c.router}|E${epoch}`;
        if (!knownRouterSegments.has(eid)) epochs.set(eid, { router: c.router, epoch });
      }
    }
    try {
      await store.putRouterSegments([...fresh.values()]);
      await store.putRouterEpochs([...epochs.values()]);
      if (knownRouterSegments.size > 100_000) knownRouterSegments.clear();
      for (const id of [...fresh.keys(), ...epochs.keys()]) knownRouterSegments.add(id);
    } catch (err) {
      for (const g of groups.values()) reader.failures.add(g.origins, err);
      groups.clear();
    }
  }

  /** Apply and write: distinct MACs at once through a bounded pool; each group is one MAC's events, in order. */
  async function applyGroups({ groups, reader }: Batch, stored: Map<string, MacItem>, tally: BatchTally): Promise<void> {
    await runBounded(
      groups,
      opts.concurrency,
      async ([key, g]) => {
        if (reader.outOfTime()) {
          reader.handBack(g.origins, 'too little time left');
          return;
        }
        try {
          await commitGroup(g.changes, stored.get(key), tally, { src: topicPartitionOf(g.last), pos: positionOf(Number(g.last.offset)) });
        } catch (err) {
          reader.failures.add(g.origins, err);
        }
      },
      pool,
    );
  }

  /**
   * Resync sweeps, bounded by the deadline and by what is left of the event budget (each MAC swept counts as one).
   * `failedAt`: where each partition's first failure sits (extended here). Returns the progress of sweeps that stopped.
   */
  async function sweepResyncs({ resyncs, reader }: Batch, tally: BatchTally, failedAt: Map<string, string>): Promise<ResyncCursor[]> {
    const cursors: ResyncCursor[] = [];
    let swept = 0;
    for (const r of resyncs) {
      const src = topicPartitionOf(r.rec);
      const fail = (at: string, err: unknown) => {
        reader.failures.add([r.rec], err);
        if (!failedAt.has(src) || at < failedAt.get(src)!) failedAt.set(src, at);
      };
      if (failedAt.has(src)) {
        // An earlier record of the partition failed or was handed back: this one waits for the redelivery.
        fail(positionOf(Number(r.rec.offset)), new DeadlineHandBackError('an earlier record of the partition was handed back'));
        continue;
      }
      if (reader.outOfTime()) {
        fail(positionOf(Number(r.rec.offset)), new DeadlineHandBackError('too little time left'));
        continue;
      }
      const progress: { after?: string; done: boolean } = { done: false };
      const stop = () => {
        if (reader.outOfTime()) return 'too little time left';
        if (reader.taken + swept >= opts.maxEventsPerInvocation) return `more than ${opts.maxEventsPerInvocation} events and swept MACs`;
        swept++;
        return undefined;
      };
      try {
        await resync(r, tally, src, Number(r.rec.offset), stop, progress);
      } catch (err) {
        const handBack = err instanceof ResyncStoppedError && err.cause instanceof DeadlineHandBackError;
        fail(err instanceof ResyncStoppedError ? err.pos : positionOf(Number(r.rec.offset)), handBack ? err.cause : err);
        if (!progress.done && progress.after !== undefined) cursors.push({ router: r.router, epoch: String(r.epoch), after: progress.after });
      }
    }
    return cursors;
  }

  /**
   * Counters: per counter item one conditional update with the contributions it does not hold yet (./fabric-counts.ts).
   * Only then is a stopped sweep's progress kept: the counters hold what the MACs before it owed (a cursor written
   * before them would let the redelivery skip MACs whose contributions were never added).
   */
  async function addCounters(tally: BatchTally, failedAt: Map<string, string>, cursors: ResyncCursor[], failures: PartitionFailures): Promise<void> {
    const due = tally.ledger.due(failedAt);
    try {
      await store.addCounts(due);
      for (const c of cursors) await store.putResyncCursor(c.router, c.epoch, c.after, Date.now());
    } catch (err) {
      // Not added: every partition with a due contribution is redelivered from its first one (the items still owe them).
      for (const c of due) {
        const [topic, partition] = [c.src.slice(0, c.src.lastIndexOf('-')), Number(c.src.slice(c.src.lastIndexOf('-') + 1))];
        failures.add([{ topic, partition, offset: Number(c.pos.slice(0, 20)) }], err);
      }
    }
  }

  /** The fabric registry (VNIs and VTEPs seen: idempotent puts, once per warm instance) and the moves per minute. */
  async function registerSeen(tally: BatchTally): Promise<void> {
    for (const [fabric, s] of tally.seen) {
      const fresh = (k: string) => !registered.has(`${fabric}|${k}`);
      const vnis = [...s.vnis].filter((v) => fresh(`vni|${v}`));
      const vteps = [...s.vteps].filter((v) => fresh(`vtep|${v}`));
      if (!fresh('') && vnis.length === 0 && vteps.length === 0) continue;
      await store.markFabricSeen(fabric, vnis, vteps);
      for (const k of ['', ...vnis.map((v) => `vni|${v}`), ...vteps.map((v) => `vtep|${v}`)]) registered.add(`${fabric}|${k}`);
      if (registered.size > 100_000) registered.clear();
    }
    for (const [k, n] of tally.moves) {
      const [fabric, minute] = k.split('|') as [string, string];
      await store.addMoves(fabric, minute, n);
    }
  }

  /** ES members (./route-changes.ts esChangeOf): the newest state of each, one put. */
  async function writeEsMembers({ es, reader }: Batch): Promise<void> {
    for (const { change, origins } of es.values()) {
      if (reader.outOfTime()) {
        reader.handBack(origins, 'too little time left');
        continue;
      }
      try {
        await store.putEsMember(change);
      } catch (err) {
        reader.failures.add(origins, err);
      }
    }
  }

  /** Where each partition's first failure sits: contributions from there on wait for the redelivery (fabric-counts.ts). */
  const failurePositions = (failures: PartitionFailures) => new Map(failures.partitions().map((f) => [f.partition, positionOf(f.offset)]));

  const handler = (async (event: MSKEvent, context?: Context): Promise<MskBatchResponse | undefined> => {
    const batch = await groupBatch(event, context);
    const stored = await store.getMacItems([...batch.groups.values()].map((g) => g.changes[0]!));
    // Where each source partition starts in this batch: the fabric counters' ledger looks no further back.
    const firstPos = new Map([...batch.reader.firstOffsets].map(([src, offset]) => [src, positionOf(offset)]));
    const tally: BatchTally = { fx: new SideEffectBatcher(store), ledger: new CountLedger(firstPos), seen: new Map(), moves: new Map() };
    await noteRouters(batch);
    await applyGroups(batch, stored, tally);
    const failedAt = failurePositions(batch.reader.failures);
    const cursors = await sweepResyncs(batch, tally, failedAt);
    await addCounters(tally, failedAt, cursors, batch.reader.failures);
    await registerSeen(tally);
    await writeEsMembers(batch);
    // Each failed partition is redelivered from its first failed record (re-applying is idempotent); the others are done.
    return reportFailures(batch.reader.failures, log, 'MAC index writes');
  }) as MacIndexHandler;

  handler.store = store;
  handler.stats = stats;
  handler.pool = pool;
  const sweeper = createMacIndexSweep({ ...deps, options: opts, store, alertPublisher: publisher, logger: log });
  handler.sweepAlerts = sweeper.sweepAlerts;
  handler.sweep = sweeper.sweep;
  return handler;
}
