/** /v1/fabrics and /v1/alerts */
import { ALERT_KINDS, type AlertKind } from '../../schemas/tables/index.js';
import type { FabricHealthReader } from '../shared/fabric-health/health-reader.js';
import type { IndexReader } from './index-reader.js';
import { parseMac, parseTime } from './input.js';
import { badRequest } from './problem.js';

export async function listFabrics(reader: IndexReader, configured: string[], health?: FabricHealthReader, now = new Date()) {
  const seen = [...new Set([...(await reader.fabricNames()), ...((await health?.fabricNames()) ?? [])])];
  const names = [...new Set([...configured, ...seen])].sort();
  const since = new Date(now.getTime() - 5 * 60_000).toISOString();
  const fabrics = [];
  for (const name of names) {
    const f = await reader.fabricFigures(name, since);
    const st = await health?.status(name);
    fabrics.push({
      name,
      status: st?.status ?? null,
      reasons: st?.reasons ?? [],
      statusSince: st?.since ?? null,
      configured: configured.includes(name),
      seen: seen.includes(name),
      macs: f.macs,
      vnis: f.vnis,
      vteps: f.vteps,
      movesPerMinute: Math.round((f.movesLast5Min / 5) * 10) / 10,
      macsPerVni: f.macsPerVni,
      macsPerEvi: f.macsPerEvi,
    });
  }
  return { fabrics };
}

const TYPES: readonly AlertKind[] = ALERT_KINDS;

/**
 * `startedAt`: when the running stack started (locally; undefined on AWS, where nothing restarts as a whole). An alert
 * still active that was raised before it is kept as it is — the same rules clear it (a flap once quiet for
 * flapQuietSeconds, re-evaluated at start) — and marked `raisedBeforeRestart`, so that a NOC can tell an alert carried
 * over from the last run from one this run raised.
 */
export async function listAlerts(reader: IndexReader, query: Record<string, string | undefined>, now = new Date(), startedAt?: Date) {
  const startedIso = startedAt?.toISOString();
  const type = query.type;
  if (type !== undefined && !TYPES.includes(type as AlertKind)) throw badRequest(`type must be one of ${TYPES.join(', ')}`);
  const since = query.since !== undefined ? parseTime(query.since, 'since') : new Date(now.getTime() - 7 * 86400_000);
  if (query.active !== undefined && query.active !== 'true' && query.active !== 'false') throw badRequest('active must be true or false');
  const mac = query.mac !== undefined ? parseMac(query.mac) : undefined;
  const fabric = query.fabric;
  if (fabric !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(fabric)) throw badRequest('fabric must be a fabric name');
  const months: string[] = [];
  for (
    let d = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
    d <= now && months.length < 24;
    d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
  )
    months.push(d.toISOString().slice(0, 7));
  const sinceIso = since.toISOString();
  const alerts = (await reader.alerts(months))
    .filter((a) => (type ? a.type === type : true))
    .filter((a) => (mac ? a.mac === mac : true))
    .filter((a) => (fabric ? a.fabric === fabric || (a.fabrics ?? []).includes(fabric) : true))
    .filter((a) => a.raisedAt >= sinceIso || (a.clearedAt ?? '9') >= sinceIso)
    .filter((a) => (query.active === 'true' ? !a.clearedAt : query.active === 'false' ? !!a.clearedAt : true))
    .sort((a, b) => b.raisedAt.localeCompare(a.raisedAt))
    .map((a) => ({
      id: a.id,
      type: a.type,
      // A MAC alert is about a MAC in a VNI; a fabric-status alert about its fabric only.
      mac: a.mac ?? null,
      vni: a.vni ?? null,
      ...(a.evi ? { evi: a.evi } : {}),
      fabric: a.fabric,
      fabrics: a.fabrics,
      raisedAt: a.raisedAt,
      clearedAt: a.clearedAt ?? null,
      raisedBeforeRestart: startedIso !== undefined && !a.clearedAt && a.raisedAt < startedIso,
      moveCount: a.moveCount,
      detail: a.detail,
      severity: a.severity ?? 'warning',
      crossFabric: a.crossFabric ?? false,
      locations: a.locations ?? [],
      ...(a.status ? { status: a.status, reasons: a.reasons ?? [] } : {}),
    }));
  return { alerts };
}
