/**
 * BMP latencies with the real routers, the figures behind `macIndex.moveGapSeconds` (README, "Moves across data centers"):
 * a MAC bounces between a GoBGP leaf exporting dc1 and a GoBGP leaf of dc2 whose routes FRR exports, the old route
 * withdrawn 10 ms before the new one is advertised (and the other way round). For every route event the collector
 * publishes it prints how far the per-peer header timestamp and the collector's receipt lie behind the command, and
 * how far apart the withdrawal and the advertisement of one move are on router timestamps and on collector time.
 * Needs gobgpd and FRR's bgpd (Debian); routers on 127.0.3.201-203.
 */
import { pino } from 'pino';
import { startCollector } from '../collector/index.js';
import { FrrBgpd } from '../infra/lab/frr.js';
import { Gobgp } from '../infra/lab/gobgp.js';
import { freePort } from '../infra/local/free-port.js';
import { RouteAction, RouteEvent } from '../schemas/events.js';
import { TOPICS } from '../schemas/topics.js';

const MOVES = Number(process.env.BENCH_MOVES ?? 20);
const MAC = '02:03:be:00:00:01';

interface Seen {
  fabric: string;
  advertise: boolean;
  view: number;
  routerUs: bigint;
  collectorMs: number;
}
const seen: Seen[] = [];
const port = await freePort();
const collector = await startCollector({
  listen: { host: '127.0.0.1', port },
  fabrics: [
    { name: 'dc1', match: { routerIds: ['10.3.255.201'] } },
    { name: 'dc2', match: { routerIds: ['10.3.255.203'] } },
  ],
  logger: pino({ level: 'warn' }),
  publisher: {
    enqueue(topic, _key, value) {
      if (topic !== TOPICS.routes) return true;
      const e = RouteEvent.decode(value);
      if (e.mac === MAC)
        seen.push({
          fabric: e.fabric,
          advertise: e.action === RouteAction.ROUTE_ACTION_ADVERTISE,
          view: e.peer?.ribView ?? 0,
          routerUs: BigInt(String(e.timestampUs)),
          collectorMs: Date.now(),
        });
      return true;
    },
    whenDrained: async () => undefined,
    bufferedBytes: 0,
    flush: async () => undefined,
    close: async () => undefined,
  },
});
const bmp = { host: '127.0.0.1', port };
const g1 = new Gobgp({ name: 'b201', address: '127.0.3.201', routerId: '10.3.255.201', asn: 65201, apiPort: await freePort(), bmp });
const g2 = new Gobgp({
  name: 'b202',
  address: '127.0.3.202',
  routerId: '10.3.255.202',
  asn: 65202,
  apiPort: await freePort(),
  neighbors: [{ address: '127.0.3.203', asn: 65203 }],
});
const frr = new FrrBgpd({
  hostname: 'bench-frr',
  address: '127.0.3.203',
  routerId: '10.3.255.203',
  asn: 65203,
  neighbors: [{ address: '127.0.3.202', asn: 65202 }],
  bmp,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const route = (vtep: string, rd: string) => [MAC, '0.0.0.0', 'etag', '0', 'label', '10100', 'rd', rd, 'rt', '65000:10100', 'encap', 'vxlan', 'nexthop', vtep];
const at = { dc1: route('10.3.1.1', '10.3.255.201:1'), dc2: route('10.3.2.1', '10.3.255.202:1') };
const routerOf = { dc1: g1, dc2: g2 };

try {
  await Promise.all([g1.start(), g2.start()]);
  frr.start();
  await g2.waitEstablished('127.0.3.203', 60_000);
  await sleep(3000); // FRR's BMP session up and its initial dump done

  const cmds: { fabric: 'dc1' | 'dc2'; advertise: boolean; ms: number; move: number }[] = [];
  const issue = async (fabric: 'dc1' | 'dc2', advertise: boolean, move: number) => {
    const ms = Date.now();
    await routerOf[fabric].evpn(advertise ? 'add' : 'del', ['macadv', ...at[fabric]]);
    cmds.push({ fabric, advertise, ms, move });
  };
  await issue('dc1', true, -1);
  await sleep(1500);
  for (let i = 0; i < MOVES; i++) {
    const [from, to] = i % 2 === 0 ? (['dc1', 'dc2'] as const) : (['dc2', 'dc1'] as const);
    const withdrawFirst = i < MOVES / 2;
    if (withdrawFirst) {
      await issue(from, false, i);
      await sleep(10);
      await issue(to, true, i);
    } else {
      await issue(to, true, i);
      await sleep(10);
      await issue(from, false, i);
    }
    await sleep(1200);
  }
  await sleep(1500);

  // Match every command with the first event of its kind from its fabric that followed it.
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
  const fmt = (xs: number[]) =>
    xs.length
      ? `median ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, range ${Math.min(...xs).toFixed(0)}..${Math.max(...xs).toFixed(0)} ms`
      : 'none';
  const lat: Record<string, { stamp: number[]; receipt: number[] }> = {};
  const firstAfter = (c: (typeof cmds)[number]) =>
    seen.filter((s) => s.fabric === c.fabric && s.advertise === c.advertise && s.collectorMs >= c.ms).sort((a, b) => a.collectorMs - b.collectorMs)[0];
  const matched = new Map<(typeof cmds)[number], Seen>();
  for (const c of cmds) {
    const s = firstAfter(c);
    if (!s) continue;
    matched.set(c, s);
    const k = `${c.fabric === 'dc1' ? 'GoBGP (Loc-RIB)' : 'FRR (adj-RIB-in, via GoBGP)'} ${c.advertise ? 'advertise' : 'withdraw '}`;
    lat[k] ??= { stamp: [], receipt: [] };
    lat[k].stamp.push(Number(s.routerUs / 1000n) - c.ms);
    lat[k].receipt.push(s.collectorMs - c.ms);
  }
  // What the stamps are: their sub-second parts (one value per router = whole seconds), and withdrawals stamped no
  // later than the advertisement before them (the route's age rather than the time of the withdrawal).
  for (const fabric of ['dc1', 'dc2']) {
    const mine = seen.filter((x) => x.fabric === fabric);
    const subSecond = new Set(mine.map((x) => Number(x.routerUs % 1_000_000n)));
    let aged = 0;
    let withdrawals = 0;
    mine.forEach((x, i) => {
      if (x.advertise) return;
      withdrawals++;
      const adv = mine.slice(0, i).findLast((y) => y.advertise && y.view === x.view);
      if (adv && x.routerUs <= adv.routerUs) aged++;
    });
    console.log(
      `${fabric}: ${mine.length} events, ${subSecond.size} distinct sub-second part(s) of the per-peer timestamp; ${aged} of ${withdrawals} withdrawals stamped no later than the advertisement they withdraw`,
    );
  }
  console.log(`${cmds.length} route commands, ${seen.length} route events for the MAC (all RIB views)`);
  for (const [k, v] of Object.entries(lat).sort()) {
    console.log(`${k}: per-peer timestamp − command ${fmt(v.stamp)}; collector receipt − command ${fmt(v.receipt)}`);
  }
  for (const [label, wf] of [
    ['withdraw-first', true],
    ['advertise-first', false],
  ] as const) {
    const stampGap: number[] = [];
    const indexGap: number[] = [];
    const receiptGap: number[] = [];
    for (let i = 0; i < MOVES; i++) {
      if (i < MOVES / 2 !== wf) continue;
      const w = [...matched].find(([c]) => c.move === i && !c.advertise)?.[1];
      const a = [...matched].find(([c]) => c.move === i && c.advertise)?.[1];
      if (!w || !a) continue;
      const ms = (us: bigint) => Number(us / 1000n);
      stampGap.push(Math.abs(ms(a.routerUs) - ms(w.routerUs)));
      // As the index measures it (functions/mac-index/apply-events.ts moveTime): a withdrawal stamped no later than
      // the advertisement it withdraws takes the record (here: collector) time.
      const adv = seen.filter((y) => y.fabric === w.fabric && y.advertise && y.view === w.view && y.collectorMs <= w.collectorMs).at(-1);
      const wMs = adv && w.routerUs <= adv.routerUs ? w.collectorMs : ms(w.routerUs);
      indexGap.push(Math.abs(ms(a.routerUs) - wMs));
      receiptGap.push(Math.abs(a.collectorMs - w.collectorMs));
    }
    console.log(`${label} moves (commands 10 ms apart), |advertise − withdrawal|:`);
    console.log(`  on router timestamps ${fmt(stampGap)}`);
    console.log(`  as the index measures the gap ${fmt(indexGap)}`);
    console.log(`  on collector time ${fmt(receiptGap)}`);
  }
} finally {
  await Promise.all([g1.dispose(), g2.dispose(), frr.dispose()]);
  await collector.stop();
}
