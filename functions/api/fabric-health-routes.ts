/** /v1/fabrics/{name}/health, /v1/fabrics/{name}/vteps/{ip}, /v1/fabrics/{name}/history */
import { type CounterBucketItem, type DeviceMinuteRates, minuteMs, minuteOf } from '../../schemas/tables/index.js';
import { buildFabricView, churnOf, deviceRatesOf, type FabricHealthView, type ViewOptions } from '../shared/fabric-health/fabric-view.js';
import type { FabricHealthReader } from '../shared/fabric-health/health-reader.js';
import { parseIp, parseTime } from './input.js';
import { badRequest, notFound } from './problem.js';

export interface HealthApiOptions {
  /** View options of every fabric but its expected VTEPs. */
  view: Omit<ViewOptions, 'expectedVteps'>;
  expectedVteps: Record<string, string[]>;
}

const FABRIC_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function parseFabric(text: string): string {
  if (!FABRIC_NAME.test(text)) throw badRequest(`"${text.slice(0, 64)}" is not a fabric name (1-63 letters, digits, "_", "." or "-")`);
  return text;
}

async function knownFabric(reader: FabricHealthReader, o: HealthApiOptions, fabric: string, indexFabrics: () => Promise<string[]>): Promise<void> {
  if (o.expectedVteps[fabric] !== undefined) return;
  if ((await reader.fabricNames()).includes(fabric)) return;
  if ((await indexFabrics()).includes(fabric)) return;
  throw notFound(`fabric ${fabric} is neither configured nor seen`);
}

export async function fabricHealth(
  reader: FabricHealthReader,
  o: HealthApiOptions,
  name: string,
  indexFabrics: () => Promise<string[]>,
  nowMs = Date.now(),
): Promise<FabricHealthView> {
  const fabric = parseFabric(name);
  await knownFabric(reader, o, fabric, indexFabrics);
  return buildFabricView(await reader.snapshot(fabric, nowMs), { ...o.view, expectedVteps: o.expectedVteps[fabric] ?? [] }, nowMs);
}

type Figures = Omit<DeviceMinuteRates, 'vtep' | 'resets' | 'wraps'>;
const FIGURES: (keyof Figures)[] = ['encapPps', 'encapBps', 'decapPps', 'decapBps', 'bumPps', 'dropsPps'];

function sumRates(list: DeviceMinuteRates[]): Figures & { resets: number; wraps: number } {
  const out = { resets: 0, wraps: 0 } as Figures & { resets: number; wraps: number };
  for (const f of FIGURES) {
    const xs = list.map((r) => r[f]).filter((x): x is number => typeof x === 'number');
    out[f] = xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) * 1000) / 1000 : null;
  }
  for (const r of list) {
    out.resets += r.resets;
    out.wraps += r.wraps;
  }
  return out;
}

export async function fabricHistory(
  reader: FabricHealthReader,
  o: HealthApiOptions,
  name: string,
  query: Record<string, string | undefined>,
  indexFabrics: () => Promise<string[]>,
  nowMs = Date.now(),
) {
  const fabric = parseFabric(name);
  const since = query.since !== undefined ? parseTime(query.since, 'since').getTime() : nowMs - 3600_000;
  if (since < nowMs - 24 * 3600_000 - 60_000) throw badRequest('since: history is kept for 24 hours; ask for at most the last 24 hours');
  if (query.vteps !== undefined && query.vteps !== 'true' && query.vteps !== 'false') throw badRequest('vteps must be true or false');
  await knownFabric(reader, o, fabric, indexFabrics);
  const first = minuteOf(since);
  const [items, figures] = await Promise.all([reader.minutes(fabric, first), reader.indexFigures(fabric)]);
  const byMinute = new Map(items.map((m) => [m.sk, m]));
  const points = [];
  const vteps: Record<string, { minute: string; encapPps: number | null; decapPps: number | null; dropsPps: number | null }[]> = {};
  for (let t = minuteMs(first); t <= nowMs; t += 60_000) {
    const minute = minuteOf(t);
    const m = byMinute.get(minute);
    const devices = m ? deviceRatesOf(m) : [];
    const { resets, wraps, ...rates } = sumRates(devices.map(([, r]) => r));
    points.push({ minute, churn: m ? churnOf(m) : 0, moves: figures.movesByMinute[minute] ?? 0, ...rates, resets, wraps });
    if (query.vteps === 'true') {
      const perVtep = new Map<string, DeviceMinuteRates[]>();
      for (const [device, r] of devices) {
        const k = r.vtep || device;
        perVtep.set(k, [...(perVtep.get(k) ?? []), r]);
      }
      for (const k of Object.keys(vteps)) if (!perVtep.has(k)) vteps[k]!.push({ minute, encapPps: null, decapPps: null, dropsPps: null });
      for (const [k, list] of perVtep) {
        const s = sumRates(list);
        if (!vteps[k]) vteps[k] = points.slice(0, -1).map((p) => ({ minute: p.minute, encapPps: null, decapPps: null, dropsPps: null }));
        vteps[k].push({ minute, encapPps: s.encapPps, decapPps: s.decapPps, dropsPps: s.dropsPps });
      }
    }
  }
  return { fabric, since: new Date(minuteMs(first)).toISOString(), resolutionSeconds: 60, points, ...(query.vteps === 'true' ? { vteps } : {}) };
}

export async function fabricVtep(
  reader: FabricHealthReader,
  o: HealthApiOptions,
  name: string,
  ipText: string,
  indexFabrics: () => Promise<string[]>,
  nowMs = Date.now(),
) {
  const ip = parseIp(ipText);
  const view = await fabricHealth(reader, o, name, indexFabrics, nowMs);
  const vtep = view.vteps.find((v) => v.vtep === ip);
  if (!vtep) throw notFound(`VTEP ${ip} is not known in fabric ${view.fabric}`);
  // Per VNI and per peer: each series' rate over the device's latest two minutes with samples.
  const perVni: Record<string, Record<string, number>> = {};
  const perPeer: Record<string, Record<string, number>> = {};
  if (vtep.device) {
    const buckets: CounterBucketItem[] = await reader.buckets(view.fabric, vtep.device, minuteOf(nowMs - 15 * 60_000));
    const last = buckets[buckets.length - 1];
    const prev = buckets[buckets.length - 2];
    const parse = (x: string) => {
      const [a, b, c, d] = x.split('|') as [string, string, string, string];
      return { first: { t: BigInt(a), v: BigInt(b) }, last: { t: BigInt(c), v: BigInt(d) } };
    };
    for (const [key, series] of Object.entries(last?.s ?? {})) {
      const [counter, scope, which] = key.split('|') as [string, string, string];
      if (scope === 'device') continue;
      const cur = parse(series);
      const before = prev?.s[key] ? parse(prev.s[key]).last : cur.first;
      const dt = Number(cur.last.t - before.t) / 1e9;
      const inc = cur.last.v - before.v;
      if (dt <= 0 || inc < 0n) continue; // a reset or a wrap: the per-VTEP figures handle those exactly
      const target = scope === 'vni' ? perVni : perPeer;
      (target[which] ??= {})[counter] = Math.round((Number(inc) / dt) * 1000) / 1000;
    }
  }
  const history = await fabricHistory(reader, o, view.fabric, { since: new Date(nowMs - 3600_000).toISOString(), vteps: 'true' }, indexFabrics, nowMs);
  return {
    fabric: view.fabric,
    ...vtep,
    perVni,
    perPeer,
    history: (history.vteps?.[ip] ?? []).filter((p) => p.encapPps !== null || p.decapPps !== null || p.dropsPps !== null),
  };
}
