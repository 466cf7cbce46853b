/**
 * Fabric health through the real path: GoBGP and FRR export BMP to the collector, the gNMI collector subscribes to the
 * openconfig/gnmi cache+subscribe harness, both publish to the real Kafka broker; the event-source runner feeds the
 * health function, which writes to dynalite; the API answers. Routers on 127.0.5.0/24 only. Timers are short: the
 * health tick every 0.5 s, a gNMI target stale after 3 intervals of 1 s.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GnmiCollector, startGnmiCollector } from '../../../collector/gnmi/gnmi-collector.js';
import { createKafkaPublisher, type EventPublisher } from '../../../collector/index.js';
import { createCollectorMetrics } from '../../../collector/metrics.js';
import { parseConfig } from '../../../infra/config/load-config.js';
import { FrrBgpd } from '../../../infra/lab/frr.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { type GoTarget, notificationJson, startGoTarget } from '../../support/gnmi/go-peers.js';
import { notification, OC_VXLAN, str, uint } from '../../support/gnmi/notifications.js';
import { brokers, ddb, dynamodbEndpoint, uniqueName, waitFor } from '../support/env.js';

const MAX = (1n << 64n) - 1n;
const FABRIC = 'lab5';
const R = { g1: '10.5.0.1', g2: '10.5.0.2', frr: '10.5.0.3' };
const VTEP = { g1: '10.5.1.1', g2: '10.5.1.2', leaf3: '10.5.1.3' };

describe('fabric health from real routers and a gNMI target', () => {
  let stack: LocalStack;
  let g1: Gobgp;
  let g2: Gobgp;
  let frr: FrrBgpd;
  let target: GoTarget;
  let gnmi: GnmiCollector;
  let publisher: EventPublisher;
  let keepSending = true;
  let sender: Promise<void> | undefined;
  const device = uniqueName('leaf3');
  const tablePrefix = `${uniqueName('health')}-`;

  const get = async (path: string) => {
    const res = await fetch(`${stack.apiUrl}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const health = async () => (await get(`/v1/fabrics/${FABRIC}/health`)).body;
  let last: unknown;
  const until = <T>(probe: (h: any) => T | undefined | false, what: string, ms = 60_000) =>
    waitFor(
      async () => {
        const h = await health();
        last = h;
        return probe(h) ? h : undefined;
      },
      what,
      ms,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the last view: ${JSON.stringify(last)}`);
    });
  /** A type-3 (IMET) route of a VNI (route target 65000:<vni - 10000>), originated or withdrawn. */
  const imet = (r: Gobgp, vtep: string, rd: string, op: 'add' | 'del', vni = 10100) =>
    r.evpn(op, ['multicast', vtep, 'etag', '0', 'rd', rd, 'rt', `65000:${vni - 10000}`, 'encap', 'vxlan', 'pmsi', 'ingress-repl', String(vni), vtep]);
  const vniCounters = (vni: number, counters: [string, bigint][], timestampNs?: bigint) => {
    const n = notification(
      `openconfig:${OC_VXLAN}/endpoint-vnis/endpoint-vni[vni=${vni}]/state`,
      counters.map(([name, v]) => [`counters/${name}`, uint(v)]),
      { timestampNs: timestampNs ?? BigInt(Date.now()) * 1_000_000n, target: device },
    );
    return { update: notificationJson(n) };
  };

  beforeAll(async () => {
    const [apiPort, bmpPort] = [await freePort(), await freePort()];
    const cfg = parseConfig({
      fabrics: [{ name: FABRIC, match: { routerIds: Object.values(R) }, expectedVteps: Object.values(VTEP) }],
      kafka: { brokers: brokers() },
      dynamodb: { endpoint: dynamodbEndpoint(), tablePrefix },
      collector: { bmp: { listen: `127.0.0.1:${bmpPort}`, resyncQuietSeconds: 5 } },
      api: { listen: `127.0.0.1:${apiPort}` },
      eventSource: { batchSize: 500, batchingWindowMs: 20, startingPosition: 'LATEST' },
      health: {
        tickSeconds: 0.5,
        gnmiIntervalSeconds: 1,
        staleAfterIntervals: 3,
        rules: { sessionsDownCriticalPercent: 75, macCountHoldSeconds: 0, staleLeaf: 'degraded' },
      },
    });
    stack = await startLocalStack(cfg, { logger: pino({ level: 'warn' }) });
    await waitFor(async () => ((await fetch(`${stack.apiUrl}/readyz`)).status === 200 ? true : undefined), 'readyz', 60_000);

    const bmp = { host: '127.0.0.1', port: bmpPort };
    g1 = new Gobgp({
      name: 'h1',
      address: '127.0.5.1',
      routerId: R.g1,
      asn: 65501,
      apiPort: await freePort(),
      neighbors: [
        { address: '127.0.5.2', asn: 65502 },
        { address: '127.0.5.3', asn: 65503 },
      ],
      bmp,
    });
    g2 = new Gobgp({
      name: 'h2',
      address: '127.0.5.2',
      routerId: R.g2,
      asn: 65502,
      apiPort: await freePort(),
      neighbors: [{ address: '127.0.5.1', asn: 65501 }],
      bmp,
    });
    frr = new FrrBgpd({ hostname: 'lab5-frr', address: '127.0.5.3', routerId: R.frr, asn: 65503, neighbors: [{ address: '127.0.5.1', asn: 65501 }], bmp });
    await Promise.all([g1.start(), g2.start()]);
    frr.start();

    // The gNMI side: the openconfig/gnmi harness as leaf3 (VTEP 10.5.1.3), the gNMI collector publishing to Kafka.
    target = await startGoTarget({ targets: [device] });
    const logger = pino({ level: 'warn' });
    const registry = new Registry();
    publisher = await createKafkaPublisher({ brokers: brokers(), metrics: createCollectorMetrics(registry), lingerMs: 5, logger });
    gnmi = startGnmiCollector({
      targets: [
        {
          name: device,
          address: target.address,
          fabric: FABRIC,
          tls: { enabled: false },
          vtep: VTEP.leaf3,
          subscriptions: [
            { name: 'vxlan', mode: 'on-change', paths: ['openconfig:/network-instances'] },
            // SR Linux's remote MAC counts per VNI (the MAC cross-check); silent until the test sends them.
            { name: 'srl-vxlan-interface', mode: 'on-change', paths: ['/tunnel-interface'] },
            // SR Linux VTEP peers in a SAMPLE set (every 0.5 s): the reference cache sends a leaf when it changes, so
            // an unchanged one stops coming, as a device may stop sending a leaf without deleting it (stale leaves).
            { name: 'srl-vtep', mode: 'sample', sampleIntervalSeconds: 0.5, paths: ['/tunnel'] },
          ],
        },
      ],
      publisher,
      registry,
      logger,
      collectorId: 'it-health-gnmi',
      timers: { reconnectMinMs: 100, reconnectMaxMs: 1_000 },
    });
    await target.send(vniCounters(10200, [['total-decap-pkts', 1n]]), { sync: device });
    // A live device: a counter moves every 300 ms (on-change subscriptions send only what changes).
    sender = (async () => {
      for (let n = 2n; keepSending; n++) {
        await target.send(vniCounters(10200, [['total-decap-pkts', n * 100n]]));
        await new Promise((r) => setTimeout(r, 300));
      }
    })();

    await g1.waitEstablished('127.0.5.2');
    await g1.waitEstablished('127.0.5.3', 60_000);
    await imet(g1, VTEP.g1, `${R.g1}:100`, 'add');
    await imet(g2, VTEP.g2, `${R.g2}:100`, 'add');
  });

  afterAll(async () => {
    keepSending = false;
    await sender?.catch(() => undefined);
    await gnmi?.stop();
    await publisher?.close();
    await target?.stop();
    await Promise.all([g1?.dispose(), g2?.dispose(), frr?.dispose()]);
    await stack?.stop();
  });

  it('shows an ok fabric: routers, sessions, VTEPs from type-3 routes and gNMI, VNIs, routes by type', async () => {
    const h = await until(
      (x) => x.status === 'ok' && x.sessions.total === 4 && x.sessions.up === 4 && x.vteps.every((v: any) => v.state === 'up'),
      'ok fabric',
    );
    expect(h.routers.map((r: any) => r.bgpId).sort()).toEqual([R.g1, R.g2, R.frr]);
    expect(h.routers.every((r: any) => r.connected && r.since)).toBe(true);
    expect(h.vteps.map((v: any) => [v.vtep, v.state, v.sources])).toEqual([
      [VTEP.g1, 'up', ['bgp']],
      [VTEP.g2, 'up', ['bgp']],
      [VTEP.leaf3, 'up', ['gnmi']],
    ]);
    expect(h.vnis).toEqual([{ vni: 10100, vteps: [VTEP.g1, VTEP.g2], macs: 0 }]);
    expect(h.routesByType).toEqual({ '3': 2 });
    expect(h.reasons).toEqual([]);
    expect(h.freshness.stale).toBe(0);
    const list = (await get('/v1/fabrics')).body.fabrics.find((f: any) => f.name === FABRIC);
    expect(list).toMatchObject({ status: 'ok' });
  });

  it('turns degraded when an EVPN session drops, with the reason named, and ok again when it comes back', async () => {
    await g1.cli(['neighbor', '127.0.5.3', 'disable']);
    let raised: any[];
    try {
      const down = await until((x) => x.status === 'degraded' && x.sessions.down.length === 2, 'degraded on session down');
      expect(down.sessions.up).toBe(2);
      // The side that received the Cease names it (RFC 4486 subcode 2). The side that disabled the peer reports either
      // its own NOTIFICATION or, when the TCP close wins the race on a busy machine, "no data": both are named reasons.
      const fromFrr = down.sessions.down.find((s: any) => s.router.endsWith(R.frr));
      expect(fromFrr).toMatchObject({ peer: '127.0.5.1', state: 'down', reason: expect.stringMatching(/Cease \/ Administrative Shutdown/) });
      const fromG1 = down.sessions.down.find((s: any) => s.router.endsWith(R.g1));
      expect(fromG1).toMatchObject({ peer: '127.0.5.3', state: 'down', reason: expect.stringMatching(/Cease \/ Administrative Shutdown|no data/) });
      expect(down.reasons.join('\n')).toMatch(/EVPN session 127\.0\.0\.1\/10\.5\.0\.1 → 127\.0\.5\.3 \(AS 65503\) down since/);
      raised = await waitFor(async () => {
        const a = (await get(`/v1/alerts?type=fabric-status&fabric=${FABRIC}&active=true`)).body.alerts;
        return a.length ? a : undefined;
      }, 'fabric-status alert');
      expect(raised[0]).toMatchObject({ type: 'fabric-status', mac: null, vni: null, fabric: FABRIC, status: 'degraded', severity: 'warning' });
    } finally {
      // Re-enabled whatever failed above, so the later tests start from a whole fabric.
      await g1.cli(['neighbor', '127.0.5.3', 'enable']);
    }
    await until((x) => x.status === 'ok' && x.sessions.up === 4, 'ok again', 90_000);
    const all = (await get(`/v1/alerts?type=fabric-status&fabric=${FABRIC}`)).body.alerts;
    expect(all.find((a: any) => a.id === raised[0].id)?.clearedAt).toEqual(expect.any(String));
  });

  it('turns critical when an expected VTEP goes missing', async () => {
    await imet(g2, VTEP.g2, `${R.g2}:100`, 'del');
    const h = await until((x) => x.status === 'critical', 'critical on a missing VTEP');
    expect(h.vteps.find((v: any) => v.vtep === VTEP.g2)).toMatchObject({ state: 'missing', expected: true, imet: 0 });
    expect(h.reasons).toContain(`expected VTEP ${VTEP.g2} missing: no route names it and no gNMI sample reports it`);
    await imet(g2, VTEP.g2, `${R.g2}:100`, 'add');
    await until((x) => x.status === 'ok', 'ok with the VTEP back');
  });

  it('gives a counter reset no rate and reads a 2^64 wrap as a small rate, never a negative or huge one', async () => {
    // One sample per minute of device time (six minutes ago to one minute ago): 2^64-3001 → 2^64-1001 → 500 (wrap)
    // → 2000 → 100 (a reset: far below 2^63) → 1100.
    const base = (Math.floor(Date.now() / 60_000) - 7) * 60_000;
    const values = [MAX - 3000n, MAX - 1000n, 500n, 2000n, 100n, 1100n];
    // The cache coalesces a leaf's updates a slow subscriber has not read yet: each value is sent once the health
    // function has it in its counter bucket (read from the table), so none is lost on the way.
    const { doc } = ddb();
    for (const [i, v] of values.entries()) {
      const minute = new Date(base + i * 60_000).toISOString().slice(0, 16);
      await target.send(vniCounters(10100, [['total-encap-pkts', v]], BigInt(base + i * 60_000 + 5_000) * 1_000_000n));
      await waitFor(async () => {
        const b = (await doc.send(new GetCommand({ TableName: `${tablePrefix}health`, Key: { pk: `D#${FABRIC}#${device}`, sk: minute } }))).Item;
        // The series key goes on with endpoint, network instance and epoch: "total-encap-pkts|vni|10100|nve1|default#…".
        const series = Object.entries(b?.s ?? {}).find(([k]) => k.startsWith('total-encap-pkts|vni|10100|'))?.[1];
        return String(series ?? '').endsWith(`|${v}`) ? true : undefined;
      }, `sample ${i} in its bucket`);
    }
    const since = new Date(base).toISOString();
    const points = await waitFor(async () => {
      const p = (await get(`/v1/fabrics/${FABRIC}/history?since=${since}`)).body.points as any[];
      const mine = p.slice(0, 6);
      return mine.filter((x) => x.encapPps !== null).length === 4 && mine[4].resets === 1 ? mine : undefined;
    }, 'rates of the six minutes');
    expect(points.map((p) => p.encapPps)).toEqual([null, 33.333, 25.017, 25, null, 16.667]);
    expect(points[2]).toMatchObject({ wraps: 1, resets: 0 });
    expect(points[4]).toMatchObject({ resets: 1, encapPps: null });
    const vtep = (await get(`/v1/fabrics/${FABRIC}/vteps/${VTEP.leaf3}`)).body;
    expect(vtep).toMatchObject({ vtep: VTEP.leaf3, device, state: 'up' });
    for (const p of vtep.history) for (const x of [p.encapPps, p.decapPps]) if (x !== null) expect(x).toBeGreaterThanOrEqual(0);
  });

  it('names a remote VTEP peer that goes DOWN over gNMI within a tick, and drops the reason when it is UP again', async () => {
    const peerState = (state: string) => {
      const n = notification(`openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.5.9.9]/state`, [['peer-state', str(state)]], {
        target: device,
      });
      return { update: notificationJson({ ...n, timestamp: null }) };
    };
    await target.send(peerState('UP'));
    await until((x) => x.status === 'ok', 'ok with the peer up');

    const sentAt = Date.now();
    await target.send(peerState('DOWN'));
    const down = await until((x) => x.reasons.some((r: string) => r.includes('remote VTEP 10.5.9.9')), 'the peer named in the status', 30_000);
    const tookMs = Date.now() - sentAt;

    expect(down.status).toBe('degraded');
    expect(down.reasons).toContainEqual(expect.stringMatching(new RegExp(`^${device} reports DOWN remote VTEP 10\\.5\\.9\\.9 \\(gNMI\\) since `)));
    expect(down.tunnels).toEqual([expect.objectContaining({ device, vtep: VTEP.leaf3, kind: 'peer', key: '10.5.9.9', state: 'DOWN' })]);
    // Within a tick (0.5 s) of the sample reaching the health function; the rest is Kafka and the runner's batching.
    console.log(`[fabric-health] peer DOWN named in the status after ${tookMs} ms`);
    expect(tookMs).toBeLessThan(10_000);
    await target.send(peerState('UP'));
    await until((x) => x.status === 'ok' && x.tunnels.length === 0, 'ok with the peer up again', 30_000);
  });

  it('cross-checks type-3 routes against gNMI: a VTEP whose tunnel the device lacks is one disagreement, cleared when they agree', async () => {
    const state = (prefix: string, leaf: string, value: string) => {
      const n = notification(`openconfig:${OC_VXLAN}/${prefix}/state`, [[leaf, str(value)]], { target: device });
      return { update: notificationJson({ ...n, timestamp: null }) };
    };
    // BMP: g1 advertises VNIs 10100 and 10200, g2 10100. gNMI: leaf3 serves 10100 and has a tunnel to g1 only.
    await imet(g1, VTEP.g1, `${R.g1}:200`, 'add', 10200);
    await target.send(
      state('endpoint-vnis/endpoint-vni[vni=10100]', 'vni-state', 'UP'),
      state(`endpoint-peers/endpoint-peer[peer-address=${VTEP.g1}]`, 'peer-state', 'UP'),
    );

    try {
      const apart = await until(
        (x) => x.crossCheck.length > 0 && x.vnis.some((v: any) => v.vni === 10200) && x.status === 'degraded',
        'one disagreement, and the status the tick gives it',
        30_000,
      );

      expect(apart.crossCheck).toEqual([
        {
          kind: 'tunnel',
          device,
          vtep: VTEP.leaf3,
          vni: 10100,
          peer: VTEP.g2,
          detail: `${VTEP.g2} advertises VNI 10100 but ${device} has no tunnel to it`,
          since: expect.any(String),
        },
      ]);
      expect(apart.status).toBe('degraded');
      expect(apart.reasons).toContainEqual(
        expect.stringContaining(`${VTEP.g2} advertises VNI 10100 but ${device} has no tunnel to it (BMP type-3 route against gNMI, since `),
      );
      await target.send(state(`endpoint-peers/endpoint-peer[peer-address=${VTEP.g2}]`, 'peer-state', 'UP'));
      await until((x) => x.status === 'ok' && x.crossCheck.length === 0, 'agreed again', 30_000);
    } finally {
      // Whatever failed above, the later tests start from a fabric whose planes agree.
      await target.send(state(`endpoint-peers/endpoint-peer[peer-address=${VTEP.g2}]`, 'peer-state', 'UP'));
      await imet(g1, VTEP.g1, `${R.g1}:200`, 'del', 10200);
    }
  });

  it('cross-checks MAC counts: remote MACs a device holds in a VNI against the MAC-only type-2 routes of the other VTEPs', async () => {
    // BMP: g1 and g2 each advertise 5 MACs in VNI 10100 (MAC-only type-2 routes, RFC 7432 §7.2: IP length 0).
    const macs = (r: Gobgp, vtep: string, rd: string, base: number, op: 'add' | 'del') =>
      Promise.all(
        Array.from({ length: 5 }, (_, i) => {
          const mac = `02:5a:00:00:${base.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}`;
          const args = ['macadv', mac, '0.0.0.0', 'etag', '0', 'label', '10100', 'rd', rd];
          // The route target carries the VNI too (RFC 8365 §5.1.2.1's auto-derived form): a reporter whose copy has no
          // label reads the same VNI from it.
          return r.evpn(op, op === 'add' ? [...args, 'rt', '65000:10100', 'encap', 'vxlan', 'nexthop', vtep] : args);
        }),
      );
    // gNMI: leaf3 as SR Linux reports its vxlan-interface's VNI (ingress/vni) and how many MACs it learned over it.
    const srl = (entries: number) => {
      const n = notification(
        '/tunnel-interface[name=vxlan1]/vxlan-interface[index=1]',
        [
          ['ingress/vni', uint(10100)],
          ['bridge-table/statistics/active-entries', uint(entries)],
        ],
        { target: device },
      );
      return { update: notificationJson({ ...n, timestamp: null }) };
    };
    await macs(g1, VTEP.g1, `${R.g1}:300`, 1, 'add');
    await macs(g2, VTEP.g2, `${R.g2}:300`, 2, 'add');
    await target.send(srl(6));
    try {
      const apart = await until(
        // Routes arrive one by one (and health.rules.macCountHoldSeconds is 0 here): wait for all ten.
        // The status (from the tick) follows the view within a tick: wait for its reason too.
        (x) =>
          x.crossCheck.some((c: any) => c.kind === 'macs' && c.advertisedMacs === 10) &&
          x.status === 'degraded' &&
          x.reasons.some((r: string) => r.includes('(6 against 10)')),
        'the MAC disagreement, and the status the tick gives it',
        30_000,
      );
      const detail = `${device} holds 40 % fewer remote MACs than its peers advertise in VNI 10100 (6 against 10)`;
      expect(apart.crossCheck).toEqual([
        { kind: 'macs', device, vtep: VTEP.leaf3, vni: 10100, peer: '', detail, since: expect.any(String), deviceMacs: 6, advertisedMacs: 10 },
      ]);
      expect(apart.reasons).toContainEqual(expect.stringContaining(`${detail} (BMP type-2 routes against gNMI, since `));
      expect(apart.vnis.find((v: any) => v.vni === 10100).macCounts).toEqual({ advertised: { [VTEP.g1]: 5, [VTEP.g2]: 5 }, remote: { [device]: 6 } });

      await target.send(srl(10));
      await until((x) => x.status === 'ok' && x.crossCheck.length === 0, 'agreed again', 30_000);
    } finally {
      // The later tests start from a fabric without these routes and MACs, whatever failed above.
      await macs(g1, VTEP.g1, `${R.g1}:300`, 1, 'del');
      await macs(g2, VTEP.g2, `${R.g2}:300`, 2, 'del');
      await target.send(srl(0));
      await until((x) => x.status === 'ok' && x.crossCheck.length === 0, 'no MACs on either side', 30_000);
    }
  });

  it('shows a peer whose state stops being refreshed as stale (3 intervals of its set), keeping its last state, while the device is fresh', async () => {
    const n = notification('/tunnel/vxlan-tunnel/vtep[address=10.5.8.8]', [['index', uint(7)]], { target: device });
    const sentAt = Date.now();
    await target.send({ update: notificationJson({ ...n, timestamp: null }) });
    const stale = await until(
      (x) => x.staleLeaves.some((t: any) => t.key === '10.5.8.8' && t.stale) && x.reasons.some((r: string) => r.includes('remote VTEP 10.5.8.8 stale')),
      'the stale peer in the view and the status',
      30_000,
    );
    console.log(`[fabric-health] peer stale in the status ${Date.now() - sentAt} ms after its only sample (refresh 500 ms, 3 intervals)`);
    expect(stale.staleLeaves.find((t: any) => t.key === '10.5.8.8')).toMatchObject({ kind: 'peer', state: 'UP', stale: true, lastSeen: expect.any(String) });
    expect(stale.status).toBe('degraded');
    expect(stale.freshness.sources.find((x: any) => x.kind === 'gnmi')).toMatchObject({ state: 'fresh' });
  });

  it('says a gNMI target that stops sending is stale, and a BMP router whose session drops', async () => {
    keepSending = false;
    await sender;
    // Freshness is computed when the view is read; the status when the tick evaluates it (within health.tickSeconds).
    const quiet = await until(
      (x) =>
        x.status === 'degraded' &&
        x.freshness.sources.some((s: any) => s.kind === 'gnmi' && s.state === 'stale') &&
        x.reasons.some((r: string) => r.startsWith('stale gNMI target')),
      'stale gNMI target',
      30_000,
    );
    expect(quiet.reasons.join('\n')).toMatch(new RegExp(`stale gNMI target ${device}: no sample for \\d+ s \\(3 intervals of 0\\.5 s\\)`));
    expect(quiet.vteps.find((v: any) => v.vtep === VTEP.leaf3)).toMatchObject({ state: 'stale' });

    await g2.stop();
    const lost = await until((x) => x.routers.some((r: any) => r.bgpId === R.g2 && !r.connected), 'BMP router lost', 60_000);
    const src = lost.freshness.sources.find((s: any) => s.kind === 'bmp' && s.name.includes(R.g2));
    expect(src).toMatchObject({ state: 'stale', detail: expect.stringMatching(/BMP session down/) });
    const h = await until((x) => x.reasons.some((r: string) => r.startsWith(`stale BMP router 127.0.0.1/${R.g2}`)), 'stale router reason');
    expect(h.sessions.down.filter((s: any) => s.state === 'unknown').map((s: any) => s.peer)).toEqual(['127.0.5.1']);
  });
});
