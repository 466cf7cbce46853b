/**
 * The health function: fed MSK batches of evpn.sessions.v1, evpn.routes.v1, telemetry.vtep.v1 and evpn.alerts.v1, it
 * keeps each fabric's health in the health table (docs/table-design.md) and its status, with fabric-status alerts on
 * transitions. Stateless: what it knows is in the table; a warm instance only caches what is idempotent to redo.
 *
 * Per batch, by topic:
 * - sessions: routers and BGP sessions (Peer Up / Peer Down), applied in order, changed items written;
 * - routes: route presence per (fabric, route key), counter effects (route counts by type, VTEPs and their VNIs,
 *   churn per minute) added exactly once per record, then the route items;
 * - telemetry: per device, its state, counter buckets and rates;
 * - alerts: MAC alerts (flapping now) per fabric; its own fabric-status alerts are ignored, so it cannot loop.
 * Fabrics whose status inputs changed are re-evaluated (at most once a second per fabric); the scheduled tick
 * (tick.ts) re-evaluates every fabric for the time-based rules. The Lambda entry point is infra/aws/lambda/health.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Logger, pino } from 'pino';
import { Alert, AlertState, AlertType, type SessionEvent } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import { HEALTH_SK, healthKeys, healthTable, indexTable, minuteOf, type RouteItem } from '../../schemas/tables/index.js';
import { TOPICS } from '../../schemas/topics.js';
import { runBounded } from '../shared/bounded-pool.js';
import { turns } from '../shared/event-loop-turns.js';
import { FabricHealthReader } from '../shared/fabric-health/health-reader.js';
import {
  type Context,
  DeadlineHandBackError,
  type DecodedRecord,
  decodeRecord,
  type MSKEvent,
  type MskBatchResponse,
  type MskHandler,
  PartitionFailures,
  partitionsOf,
  type RecordPosition,
  remainingMs,
} from '../shared/msk.js';
import { reportFailures } from '../shared/report-failures.js';
import { readRouteRecord } from '../shared/route-records.js';
import { logUndecodable } from '../shared/skip-undecodable.js';
import { DynamoDbTableStore } from '../shared/store/dynamodb-table-store.js';
import type { TableStore } from '../shared/store/table-store.js';
import { type CountedPart, HealthStore, keyOf } from './health-store.js';
import { DEFAULT_HEALTH_OPTIONS, type FabricSpec, type HealthOptions } from './options.js';
import { applyRouteChanges, type RouteChange, type RouteEffect, routeChangeOf } from './route-presence.js';
import { applySessionEvent, type SessionState, sessionKeysOf } from './session-state.js';
import { type AlertSink, StatusEvaluator } from './status-evaluator.js';
import { applyDeviceSamples, type TelemetrySample } from './telemetry.js';
import { telemetrySamplesOf } from './vtep-samples.js';

/** The health table and the index table (fabric-status alert items, MAC counts): through the store port, or DynamoDB. */
export type HealthTables =
  | { tables: { health: TableStore; index: TableStore }; ddb?: undefined }
  | { tables?: undefined; ddb: DynamoDBDocumentClient; tableName: string; indexTableName: string };

export type HealthDeps = HealthTables & {
  alertPublisher?: AlertSink;
  options?: Partial<HealthOptions>;
  fabrics?: FabricSpec[];
  logger?: Logger;
  now?: () => number;
};

export interface HealthHandler extends MskHandler {
  store: HealthStore;
  indexStore: HealthStore;
  reader: FabricHealthReader;
  evaluator: StatusEvaluator;
  options: HealthOptions;
  stats: { records: number; routeEvents: number; sessionEvents: number; samples: number; alerts: number; skipped: number };
}

const noSink: AlertSink = { publish: async () => undefined };
const HISTORY_TTL_SECONDS = 25 * 3600;

/** How many times its own duration a batch-triggered status evaluation waits before the next (see nextEvaluation). */
const EVALUATION_SPACING = 10;

export function createHealthHandler(deps: HealthDeps): HealthHandler {
  const opts: HealthOptions = { ...DEFAULT_HEALTH_OPTIONS, ...deps.options, rules: { ...DEFAULT_HEALTH_OPTIONS.rules, ...deps.options?.rules } };
  const now = deps.now ?? Date.now;
  const log = deps.logger ?? pino({ name: 'health', level: 'warn' });
  // Expiry follows the function's clock (a test's fixed `now` included).
  const clock = () => Math.floor(now() / 1000);
  const tables = deps.tables ?? {
    health: new DynamoDbTableStore(deps.ddb, deps.tableName, healthTable, clock),
    index: new DynamoDbTableStore(deps.ddb, deps.indexTableName, indexTable, clock),
  };
  const store = new HealthStore(tables.health);
  const indexStore = new HealthStore(tables.index);
  const reader = new FabricHealthReader(tables.health, tables.index);
  const specs = new Map((deps.fabrics ?? []).map((f) => [f.name, f]));
  const evaluator = new StatusEvaluator(store, indexStore, reader, deps.alertPublisher ?? noSink, (fabric) => ({
    expectedVteps: specs.get(fabric)?.expectedVteps ?? [],
    gnmiIntervalSeconds: opts.gnmiIntervalSeconds,
    staleAfterIntervals: opts.staleAfterIntervals,
    rules: opts.rules,
  }));
  const stats = { records: 0, routeEvents: 0, sessionEvents: 0, samples: 0, alerts: 0, skipped: 0 };
  // Fabrics registered by this warm instance (the put is idempotent; the cache only saves writes).
  const registered = new Set<string>();
  /**
   * When a batch that changed a fabric's status inputs may evaluate it next. An evaluation reads the fabric's whole
   * view (every VTEP: 0.3–0.45 s for the ingest bench's 12,800), so the next waits ten times as long as the last one
   * took, and at least 1 s: while VTEPs keep appearing (a fabric's first indexing), evaluations take at most a tenth
   * of the time.
   */
  const nextEvaluation = new Map<string, number>();

  const skip = (rec: RecordPosition, what: string, err: unknown) => {
    stats.skipped++;
    logUndecodable(log, rec, what, err);
  };

  async function register(fabric: string): Promise<void> {
    if (registered.has(fabric)) return;
    await store.put({ ...healthKeys.fabricList(fabric), fabric });
    registered.add(fabric);
  }

  async function handleSessions(records: DecodedRecord<Uint8Array>[], failures: PartitionFailures, dirty: Set<string>): Promise<void> {
    const events: { ev: SessionEvent; rec: DecodedRecord<Uint8Array> }[] = [];
    for (const rec of records) {
      const read = readRouteRecord(rec, log);
      if (read.kind === 'session') events.push({ ev: read.event, rec });
      else if (read.kind === 'undecodable') stats.skipped++;
    }
    stats.sessionEvents += events.length;
    try {
      const wanted = events.flatMap((e) => sessionKeysOf(e.ev));
      const found = await store.batchGet<never>(wanted);
      const state: SessionState = { routers: new Map(), sessions: new Map(), dirty: new Set(), fabrics: new Set() };
      for (const [k, v] of found) {
        const item = v as { sk: string };
        if (item.sk.startsWith(HEALTH_SK.router)) state.routers.set(k, v);
        else state.sessions.set(k, v);
      }
      for (const { ev, rec } of events) applySessionEvent(state, ev, rec.timestamp);
      for (const f of state.fabrics) await register(f);
      for (const k of state.dirty) {
        const item = state.routers.get(k) ?? state.sessions.get(k);
        if (item) await store.put(item as never);
      }
      for (const f of state.fabrics) dirty.add(f);
    } catch (err) {
      failures.add(records, err);
    }
  }

  async function handleRoutes(records: DecodedRecord<Uint8Array>[], failures: PartitionFailures, dirty: Set<string>): Promise<void> {
    const groups = new Map<string, { changes: RouteChange[]; records: Set<DecodedRecord<Uint8Array>> }>();
    const turn = turns();
    for (const rec of records) {
      await turn();
      const read = readRouteRecord(rec, log);
      if (read.kind === 'undecodable') stats.skipped++;
      if (read.kind !== 'routes') continue;
      for (const ev of read.events) {
        stats.routeEvents++;
        const c = routeChangeOf(ev, rec);
        if (!c) continue;
        const k = `${c.fabric}|${c.routeKey}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { changes: [], records: new Set() }));
        g.changes.push(c);
        g.records.add(rec);
      }
    }
    if (groups.size === 0) return;
    try {
      const stored = await store.batchGet<RouteItem>(
        [...groups.values()].map((g) => ({ pk: `RT#${g.changes[0]!.fabric}#${g.changes[0]!.routeKey}`, sk: 'R' })),
      );
      const writes: { item: RouteItem; version: number | undefined }[] = [];
      const effects: (RouteEffect & { fabric: string })[] = [];
      const fabrics = new Set<string>();
      for (const g of groups.values()) {
        const c0 = g.changes[0]!;
        const before = stored.get(`RT#${c0.fabric}#${c0.routeKey}|R`);
        const r = applyRouteChanges(before, g.changes);
        fabrics.add(c0.fabric);
        if (!r.changed) continue;
        writes.push({ item: r.item, version: before?.version });
        for (const e of r.effects) effects.push({ ...e, fabric: c0.fabric });
      }
      for (const f of fabrics) await register(f);
      await applyEffects(effects, dirty);
      // Route items last: a crash before them leaves the counters right and these to be written again.
      // Distinct routes at once, through a bounded pool (each write its own item).
      await runBounded(writes, opts.concurrency, (w) => store.putVersioned(w.item, w.version));
    } catch (err) {
      failures.add(records, err);
    }
  }

  /** Counter effects grouped per counter item and source partition, each added exactly once per record. */
  async function applyEffects(effects: (RouteEffect & { fabric: string })[], dirty: Set<string>): Promise<void> {
    type Acc = { key: { pk: string; sk: string }; watermark: string; parts: Map<number, Record<string, number>>; set: Record<string, unknown> };
    const acc = new Map<string, Acc>();
    const add = (key: { pk: string; sk: string }, watermark: string, offset: number, attr: string, delta: number, set: Record<string, unknown>) => {
      const k = `${keyOf(key)}|${watermark}`;
      let a = acc.get(k);
      if (!a) acc.set(k, (a = { key, watermark, parts: new Map(), set }));
      Object.assign(a.set, set);
      const part = a.parts.get(offset) ?? {};
      part[attr] = (part[attr] ?? 0) + delta;
      a.parts.set(offset, part);
    };
    for (const e of effects) {
      if (e.kind === 'type') add(healthKeys.count(e.fabric, e.source), 'o', e.offset, `t${e.key}`, e.delta, { fabric: e.fabric });
      else if (e.kind === 'churn') {
        const minute = minuteOf(e.atMs);
        add(healthKeys.history(e.fabric, minute), `o:${e.source}`, e.offset, `c:${e.source}`, e.delta, {
          fabric: e.fabric,
          expiresAt: Math.floor(e.atMs / 1000) + HISTORY_TTL_SECONDS,
        });
      } else {
        const attr = e.kind === 'vni' ? `v:${e.key}` : e.kind === 'mac' ? `m:${e.key}` : e.kind;
        add(healthKeys.vtep(e.fabric, e.vtep!), `o:${e.source}`, e.offset, attr, e.delta, { fabric: e.fabric, vtep: e.vtep, lastChangeMs: e.atMs });
        // A VTEP appearing or going is a status input (expected VTEPs); others are not worth an evaluation.
        if (e.kind !== 'vni' && e.kind !== 'mac') dirty.add(e.fabric);
      }
    }
    // Distinct counters at once (each update conditional on its own watermark attribute).
    await runBounded(acc.values(), opts.concurrency, async (a) => {
      const parts: CountedPart[] = [...a.parts].sort(([x], [y]) => x - y).map(([offset, add]) => ({ offset, add }));
      await store.addOnce(a.key, a.watermark, parts, a.set);
    });
  }

  async function handleTelemetry(
    records: DecodedRecord<Uint8Array>[],
    failures: PartitionFailures,
    dirty: Set<string>,
    outOfTime: () => boolean,
  ): Promise<void> {
    const byDevice = new Map<string, { samples: TelemetrySample[]; records: DecodedRecord<Uint8Array>[] }>();
    for (const rec of records) {
      let samples: TelemetrySample[];
      try {
        samples = telemetrySamplesOf(rec.value, rec.timestamp);
      } catch (err) {
        skip(rec, 'a telemetry record', err);
        continue;
      }
      for (const s of samples) {
        if (!s.fabric || !s.device) continue;
        stats.samples++;
        const k = `${s.fabric}|${s.device}`;
        let g = byDevice.get(k);
        if (!g) byDevice.set(k, (g = { samples: [], records: [] }));
        g.samples.push(s);
        if (g.records[g.records.length - 1] !== rec) g.records.push(rec);
      }
    }
    for (const g of byDevice.values()) {
      if (outOfTime()) {
        failures.add(g.records, new DeadlineHandBackError('too little time left'));
        continue;
      }
      try {
        await register(g.samples[0]!.fabric);
        const r = await applyDeviceSamples(store, g.samples, opts);
        if (r.statusInputChanged) dirty.add(g.samples[0]!.fabric);
      } catch (err) {
        failures.add(g.records, err);
      }
    }
  }

  async function handleAlerts(records: DecodedRecord<Uint8Array>[], failures: PartitionFailures, dirty: Set<string>): Promise<void> {
    for (const rec of records) {
      let a: Alert;
      try {
        a = Alert.decode(rec.value);
      } catch (err) {
        skip(rec, 'an alert record', err);
        continue;
      }
      // Our own fabric-status alerts: ignored, so that a status change never feeds back into the status.
      if (a.type === AlertType.ALERT_TYPE_FABRIC_STATUS || !a.mac) continue;
      stats.alerts++;
      const type = a.type === AlertType.ALERT_TYPE_MAC_FLAP ? 'mac-flap' : a.type === AlertType.ALERT_TYPE_DUPLICATE_MAC ? 'duplicate-mac' : 'sticky-move';
      const raisedAtMs = Number(toBigInt(a.raisedAtMs));
      try {
        for (const fabric of new Set([a.fabric, ...a.fabrics].filter(Boolean))) {
          const key = healthKeys.macAlert(fabric, type, a.mac, a.vni);
          if (a.state === AlertState.ALERT_STATE_CLEARED) {
            await store.updateIf(key, { clearedAtMs: Number(toBigInt(a.clearedAtMs)) }, [{ attr: 'raisedAtMs', op: 'eq', value: raisedAtMs }]);
          } else {
            // A newer episode replaces an older one; a replayed raise of the same episode changes nothing.
            await store.putIf({ ...key, fabric, type, mac: a.mac, vni: a.vni, alertId: a.id, raisedAtMs, moveCount: a.moveCount, detail: a.detail }, [
              { attr: 'pk', op: 'notExists' },
              { attr: 'raisedAtMs', op: 'lt', value: raisedAtMs },
            ]);
          }
          await register(fabric);
          dirty.add(fabric);
        }
      } catch (err) {
        failures.add([rec], err);
        return;
      }
    }
  }

  const handler = (async (event: MSKEvent, context?: Context): Promise<MskBatchResponse | undefined> => {
    const failures = new PartitionFailures();
    const dirty = new Set<string>();
    // The invocation's deadline: the Lambda context's (the local runner passes the same contract).
    const outOfTime = () => remainingMs(context) < opts.deadlineReserveMs;
    let started = 0;
    for (const [, list] of partitionsOf(event)) {
      // No new partition starts with too little time left: it is handed back whole (its first record), not failed.
      if (started++ > 0 && outOfTime() && list[0]) {
        failures.add([list[0]], new DeadlineHandBackError('too little time left'));
        continue;
      }
      const records = list.map((r) => decodeRecord(r, (b) => b));
      stats.records += records.length;
      const topic = records[0]?.topic ?? '';
      if (topic === TOPICS.sessions) await handleSessions(records, failures, dirty);
      else if (topic === TOPICS.routes) await handleRoutes(records, failures, dirty);
      else if (topic === TOPICS.vtepTelemetry) await handleTelemetry(records, failures, dirty, outOfTime);
      else if (topic === TOPICS.alerts) await handleAlerts(records, failures, dirty);
    }
    const t = now();
    for (const fabric of dirty) {
      if (t < (nextEvaluation.get(fabric) ?? 0) || outOfTime()) continue; // the tick evaluates it
      const t0 = performance.now();
      // The tick evaluates again: a failure here must not fail the batch (its records are applied).
      await evaluator.evaluate(fabric, t).catch((err: unknown) => log.warn({ err, fabric }, 'status evaluation failed; the tick retries'));
      nextEvaluation.set(fabric, t + Math.max(1000, EVALUATION_SPACING * (performance.now() - t0)));
    }
    return reportFailures(failures, log, 'health writes');
  }) as HealthHandler;

  handler.store = store;
  handler.indexStore = indexStore;
  handler.reader = reader;
  handler.evaluator = evaluator;
  handler.options = opts;
  handler.stats = stats;
  return handler;
}
