/**
 * The route index function: fed MSK batches of evpn.routes.v1 (and evpn.sessions.v1), it keeps what EVPN says beside
 * the MACs (docs/table-design.md, "Segments and prefixes"):
 *  - Ethernet segments from type-4 (ES) and type-1 (Ethernet A-D per ES and per EVI) routes, one item per route;
 *  - IP prefixes from type-5 routes (RFC 9136), one item per (IP-VRF, prefix) holding every route of it;
 *  - the members advertising each MAC behind a multi-homed segment (type 2 with its ESI), for the segment's flags;
 * and sweeps a router's older-epoch paths from both when its resync completes (as the MAC index does for MACs), which
 * also detaches the MAC index's per-ES A-D member items that resync withdrew (RFC 7432 §8.2).
 *
 * Per batch, events are grouped by item (a route's events share a partition and arrive in order); each group is
 * applied to its item in memory and written once under a version condition. Stateless: everything is in the table.
 * The Lambda entry point is infra/aws/lambda/route-index.ts.
 */
import { type Logger, pino } from 'pino';
import { indexTable } from '../../schemas/tables/index-table.js';
import { type PrefixHistoryEntry, type PrefixItem, type RoutePath, routeIndexKeys, type SegmentMacItem } from '../../schemas/tables/route-index-items.js';
import { runBounded } from '../shared/bounded-pool.js';
import { type Context, DeadlineHandBackError, type MSKEvent, type MskBatchResponse, type MskHandler, type RecordPosition } from '../shared/msk.js';
import { reportFailures } from '../shared/report-failures.js';
import { noteOrigin, RouteBatchReader } from '../shared/route-batch-reader.js';
import { applyPathChange, livePaths, type PathChange, pruneTombstones } from '../shared/route-index/route-paths.js';
import { MAX_ET } from '../shared/route-index/segment-view.js';
import { ordOf } from '../shared/route-records.js';
import { ConditionFailedError } from '../shared/store/store-errors.js';
import { type TableDeps, tableOf } from '../shared/store/table-of.js';
import type { Item } from '../shared/store/table-store.js';
import { DEFAULT_ROUTE_INDEX_OPTIONS, type RouteIndexOptions } from './options.js';
import { type RouteIndexChange, routeIndexChangeOf } from './route-events.js';
import { RouteIndexStore, type RouteItem } from './route-index-store.js';

export type RouteIndexDeps = TableDeps & { options?: Partial<RouteIndexOptions>; logger?: Logger };

export interface RouteIndexHandler extends MskHandler {
  store: RouteIndexStore;
  stats: { events: number; applied: number; skipped: number; conflicts: number; resyncs: number; resyncWithdrawn: number };
}

const MAX_CONFLICT_RETRIES = 5;

type Group = { first: RouteIndexChange; changes: PathChange[]; origins: RecordPosition[] };

export function createRouteIndexHandler(deps: RouteIndexDeps): RouteIndexHandler {
  const opts: RouteIndexOptions = { ...DEFAULT_ROUTE_INDEX_OPTIONS, ...deps.options };
  const store = new RouteIndexStore(tableOf(deps, indexTable));
  const log = deps.logger ?? pino({ name: 'route-index', level: 'warn' });
  const stats = { events: 0, applied: 0, skipped: 0, conflicts: 0, resyncs: 0, resyncWithdrawn: 0 };
  // Idempotent puts this warm instance made (router notes, segment list, VRF lengths): a cache that only saves writes.
  const written = new Set<string>();
  const once = async (id: string, write: () => Promise<void>) => {
    if (written.has(id)) return;
    await write();
    if (written.size > 100_000) written.clear();
    written.add(id);
  };

  /** A fresh item for the group's first change. */
  function emptyItem(c: RouteIndexChange): RouteItem {
    if (c.kind === 'segment')
      return {
        ...c.key,
        esi: c.esi,
        routeType: c.routeType,
        ethernetTag: c.ethernetTag,
        rd: c.rd,
        ...(c.originator ? { originator: c.originator } : {}),
        paths: {},
        live: false,
        version: 0,
      };
    if (c.kind === 'mac') return { ...c.key, esi: c.esi, mac: c.mac, segment: c.segment, paths: {}, live: false, members: [], version: 0 };
    return { ...c.key, vrf: c.vrf, prefix: c.prefix, paths: {}, live: false, fabrics: [], version: 0 };
  }

  const liveFabrics = (paths: Record<string, RoutePath>) => [...new Set(livePaths(paths).map((p) => p.f))].sort();

  /** Applies changes to the stored item and writes it (side effects first); returns the item before and after, or undefined when nothing changed. */
  async function commit(first: RouteIndexChange, changes: PathChange[]): Promise<{ before: RouteItem | undefined; after: RouteItem } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const stored = await store.get<RouteItem>(first.key);
      const next = structuredClone(stored ?? emptyItem(first)) as RouteItem;
      let changed = false;
      for (const c of changes) changed = applyPathChange(next.paths, c) || changed;
      if (!changed) return undefined;
      const lastAt = changes[changes.length - 1]!.atMs;
      pruneTombstones(next.paths, lastAt, opts.tombstoneSeconds * 1000);
      next.live = livePaths(next.paths).length > 0;
      next.version = (stored?.version ?? 0) + 1;
      if (next.live) delete next.expiresAt;
      else next.expiresAt = Math.floor(lastAt / 1000) + opts.tombstoneSeconds;
      if (first.kind === 'prefix') await prefixSideEffects(first, stored as PrefixItem | undefined, next as PrefixItem, lastAt);
      else if (first.kind === 'mac') await macSideEffects(first, stored as SegmentMacItem | undefined, next as SegmentMacItem);
      else if (next.live) {
        // A route coming alive lists its segment even when this instance's cache says listed: another instance may
        // have dropped the list entry when the segment's last route went.
        if (!stored?.live) written.delete(`seg|${first.esi}`);
        await once(`seg|${first.esi}`, () => store.putSegmentListed(first.esi, changes[0]!.fabric));
      }
      try {
        await store.putVersioned(next, stored?.version);
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
        stats.conflicts++;
        continue;
      }
      stats.applied++;
      if (first.kind === 'segment' && !next.live && stored?.live) {
        written.delete(`seg|${first.esi}`);
        await store.unlistSegmentIfGone(first.esi);
      }
      return { before: stored, after: next };
    }
  }

  /** The VRF list's lengths, and a move between fabrics (data centers) recorded in the prefix's history. */
  async function prefixSideEffects(c: Extract<RouteIndexChange, { kind: 'prefix' }>, before: PrefixItem | undefined, next: PrefixItem, atMs: number) {
    next.fabrics = liveFabrics(next.paths);
    if (next.live)
      await once(`len|${c.vrf}|${c.family}/${c.len}`, () =>
        store.noteVrfLength(c.vrf, c.family, c.len, { ...(c.l3Vni ? { l3Vni: c.l3Vni } : {}), ...(c.routeTarget ? { routeTarget: c.routeTarget } : {}) }),
      );
    const was = before?.live ? before.fabrics : [];
    const now = next.fabrics;
    let from: string[] | undefined;
    if (was.length && now.length && !sameSet(was, now) && !now.some((f) => was.includes(f))) from = was;
    else if (
      !was.length &&
      now.length &&
      before?.vanished &&
      atMs - before.vanished.atMs <= opts.moveGapSeconds * 1000 &&
      !sameSet(before.vanished.fabrics, now)
    )
      from = before.vanished.fabrics;
    if (was.length && !now.length) next.vanished = { fabrics: was, atMs };
    else if (now.length) delete next.vanished;
    if (from) {
      const at = new Date(atMs).toISOString();
      const h: PrefixHistoryEntry = {
        ...routeIndexKeys.prefixHistory(c.vrf, c.prefix, at),
        vrf: c.vrf,
        prefix: c.prefix,
        at,
        kind: 'move',
        from,
        to: now,
        expiresAt: Math.floor(atMs / 1000) + opts.historyRetentionDays * 86400,
      };
      await store.putHistory(h);
    }
  }

  /** A marker in the segment's partition while more than one member advertises the MAC (the segment view's flag). */
  async function macSideEffects(c: Extract<RouteIndexChange, { kind: 'mac' }>, before: SegmentMacItem | undefined, next: SegmentMacItem) {
    next.members = [...new Set(livePaths(next.paths).map((p) => p.a!.vtep))].sort();
    const was = (before?.live ? before.members : []).length > 1;
    const now = next.members.length > 1;
    if (now)
      await store.putAll([{ ...routeIndexKeys.segmentMulti(c.esi, c.mac, c.segment), esi: c.esi, mac: c.mac, segment: c.segment, members: next.members }]);
    else if (was) await store.table.delete(routeIndexKeys.segmentMulti(c.esi, c.mac, c.segment));
  }

  /** Notes what each router reported (where its resync sweeps), before the items. */
  async function noteRouters(groups: Iterable<Group>): Promise<void> {
    const put: Item[] = [];
    for (const g of groups)
      for (const c of g.changes) {
        if (!c.advertise) continue;
        const what = g.first.kind === 'prefix' ? { vrf: g.first.vrf } : { esi: g.first.esi };
        const key = routeIndexKeys.routerNote(c.router, what);
        const id = `note|${key.pk}|${key.sk}`;
        if (written.has(id)) continue;
        written.add(id);
        put.push({ ...key, router: c.router, ...what });
      }
    try {
      await store.putAll(put);
    } catch (err) {
      for (const p of put) written.delete(`note|${p.pk}|${p.sk}`);
      throw err;
    }
  }

  /**
   * A resync completed in `epoch`: the router's paths of older epochs are withdrawn (an event at the start of that
   * epoch), in every segment and VRF it reported, as the MAC index withdraws its MACs.
   */
  async function resync(router: string, epoch: bigint, atMs: number): Promise<void> {
    stats.resyncs++;
    const floor = ordOf(0n, epoch);
    for await (const notes of store.partition<{ pk: string; sk: string; esi?: string; vrf?: string }>(routeIndexKeys.routerNotesPk(router)))
      for (const n of notes) {
        const pks = n.esi ? [routeIndexKeys.segmentPk(n.esi), routeIndexKeys.segmentMacPk(n.esi)] : [routeIndexKeys.vrfPk(n.vrf ?? '')];
        for (const pk of pks)
          for await (const items of store.partition<RouteItem>(pk))
            for (const item of items) {
              if (!item.paths) continue; // a marker, not a route item
              const changes: PathChange[] = [];
              for (const [pathKey, p] of Object.entries(item.paths))
                if (!p.w && p.r === router && p.o < floor) changes.push({ pathKey, router, fabric: p.f, advertise: false, ord: floor, atMs });
              if (!changes.length) continue;
              stats.resyncWithdrawn += changes.length;
              const first = itemChange(item);
              const r = await commit(first, changes);
              // RFC 7432 §8.2: a per-ES A-D route gone with the resync detaches its member in the MAC index's view too.
              if (r && !r.after.live && first.kind === 'segment' && first.routeType === 1 && first.ethernetTag === MAX_ET) {
                const vtep = Object.values(item.paths).find((p) => p.a)?.a?.vtep;
                if (vtep) await store.detachEsMember(first.esi, vtep, floor, atMs);
              }
            }
      }
    log.info({ router, epoch: String(epoch) }, 'resync complete: segment and prefix paths of older session epochs withdrawn');
  }

  /** The change descriptor of a stored item (a resync's withdrawals). */
  function itemChange(item: RouteItem): RouteIndexChange {
    const dummy: PathChange = { pathKey: '', router: '', fabric: '', advertise: false, ord: '', atMs: 0 };
    if ('mac' in item) return { kind: 'mac', key: { pk: item.pk, sk: item.sk }, esi: item.esi, mac: item.mac, segment: item.segment, change: dummy };
    if ('esi' in item)
      return {
        kind: 'segment',
        key: { pk: item.pk, sk: item.sk },
        esi: item.esi,
        routeType: item.routeType,
        ethernetTag: item.ethernetTag,
        rd: item.rd,
        ...(item.originator ? { originator: item.originator } : {}),
        change: dummy,
      };
    const [, lenText] = item.prefix.split('/');
    return {
      kind: 'prefix',
      key: { pk: item.pk, sk: item.sk },
      vrf: item.vrf,
      prefix: item.prefix,
      family: item.prefix.includes(':') ? 6 : 4,
      len: Number(lenText),
      change: dummy,
    };
  }

  const handler = (async (event: MSKEvent, context?: Context): Promise<MskBatchResponse | undefined> => {
    const reader = new RouteBatchReader({ context, deadlineReserveMs: opts.deadlineReserveMs, log });
    const { failures } = reader;
    const groups = new Map<string, Group>();
    const resyncs: { router: string; epoch: bigint; atMs: number; rec: RecordPosition }[] = [];
    for await (const { rec, read } of reader.read(event)) {
      if (read.kind === 'session') {
        if (read.resync) resyncs.push({ ...read.resync, atMs: rec.timestamp, rec });
        continue;
      }
      for (const ev of read.events) {
        if (ev.routeType < 1 || ev.routeType > 5 || ev.routeType === 3) continue;
        if (ev.routeType === 2 && (!ev.esi || ev.esi === '00:00:00:00:00:00:00:00:00:00')) continue; // single-homed: the MAC index's alone
        const c = routeIndexChangeOf(ev, rec.timestamp);
        if (!c) {
          stats.skipped++;
          continue;
        }
        const id = `${c.key.pk}\u0000${c.key.sk}`;
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { first: c, changes: [], origins: [] }));
        noteOrigin(g.origins, rec);
        g.changes.push(c.change);
        // A VRF's identity is only on advertisements: keep the richest descriptor for the side effects.
        if (c.kind === 'prefix' && g.first.kind === 'prefix' && !g.first.l3Vni && !g.first.routeTarget) g.first = c;
      }
    }
    stats.events += reader.records;
    stats.skipped += reader.undecodableRoutes;
    try {
      await noteRouters(groups.values());
    } catch (err) {
      for (const g of groups.values()) failures.add(g.origins, err);
      groups.clear();
    }
    await runBounded(groups.values(), opts.concurrency, async (g) => {
      if (reader.outOfTime()) {
        reader.handBack(g.origins, 'too little time left');
        return;
      }
      try {
        await commit(g.first, g.changes);
      } catch (err) {
        failures.add(g.origins, err);
      }
    });
    for (const r of resyncs) {
      try {
        if (reader.outOfTime()) throw new DeadlineHandBackError('too little time left');
        await resync(r.router, r.epoch, r.atMs);
      } catch (err) {
        failures.add([r.rec], err);
      }
    }
    return reportFailures(failures, log, 'route index writes');
  }) as RouteIndexHandler;
  handler.store = store;
  handler.stats = stats;
  return handler;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));
