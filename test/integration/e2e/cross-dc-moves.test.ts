import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../infra/config/load-config.js';
import { FrrBgpd } from '../../../infra/lab/frr.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { brokers, dynamodbEndpoint, uniqueName, waitFor } from '../support/env.js';

const cli = join(resolve(import.meta.dirname, '../../..'), 'bin/evpn-lens.mjs');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Issue 16, with real routers as a new user tried it: GoBGP exports dc1 (a leaf, its Loc-RIB over BMP) and FRR exports
// dc2 (bgpd -M bmp, reporting what it learns from a dc2 GoBGP leaf). The two fabrics never hear each other's routes,
// so neither speaker applies MAC mobility: both advertise sequence 0, as across a DCI that re-originates routes.
// Routers on 127.0.3.1-3 only. Timers are short (gap 2 s + skew 1 s, hold 3 s, sweep 1 s) to keep the file fast.
describe('moves and duplicates across data centers (GoBGP dc1, FRR dc2)', () => {
  let stack: LocalStack;
  let api = '';
  let dc1: Gobgp;
  let dc2: Gobgp;
  let frr: FrrBgpd;
  const HOLD = 3;
  const SWEEP = 1;
  const VTEP = { dc1: '10.3.1.1', dc2: '10.3.2.1' };
  const mac = (n: number) => `02:03:16:00:00:${n.toString(16).padStart(2, '0')}`;
  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const host = async (m: string) => (await get(`/v1/hosts/${m}`)).body;
  const locationOf = async (m: string) => (await host(m)).locations?.[0];
  const alertsFor = async (m: string) => ((await get('/v1/alerts')).body.alerts as any[]).filter((a) => a.mac === m);
  const leaf = { dc1: () => dc1, dc2: () => dc2 };
  const route = (fabric: 'dc1' | 'dc2', m: string) => [
    'macadv',
    m,
    '0.0.0.0',
    'etag',
    '0',
    'label',
    '10300',
    'rd',
    `${VTEP[fabric]}:300`,
    'rt',
    '65000:10300',
    'encap',
    'vxlan',
    'nexthop',
    VTEP[fabric],
  ];
  const adv = (fabric: 'dc1' | 'dc2', m: string) => leaf[fabric]().evpn('add', route(fabric, m));
  const del = (fabric: 'dc1' | 'dc2', m: string) => leaf[fabric]().evpn('del', route(fabric, m));
  const at = async (m: string, fabric: 'dc1' | 'dc2') =>
    waitFor(async () => {
      const l = await locationOf(m);
      return l?.fabric === fabric && l.vtep === VTEP[fabric] ? l : undefined;
    }, `${m} in ${fabric}`);

  beforeAll(async () => {
    const [apiPort, bmpPort] = [await freePort(), await freePort()];
    const cfg = parseConfig({
      fabrics: [
        { name: 'dc1', match: { routerIds: ['10.3.255.1'] } },
        { name: 'dc2', match: { routerIds: ['10.3.255.3'] } },
      ],
      kafka: { brokers: brokers() },
      dynamodb: { endpoint: dynamodbEndpoint(), tablePrefix: `${uniqueName('xdc')}-` },
      collector: { bmp: { listen: `127.0.0.1:${bmpPort}`, resyncQuietSeconds: 5 } },
      api: { listen: `127.0.0.1:${apiPort}` },
      eventSource: { batchSize: 200, batchingWindowMs: 50, startingPosition: 'LATEST' },
      macIndex: { moveGapSeconds: 2, clockSkewSeconds: 1, duplicateHoldSeconds: HOLD, sweepSeconds: SWEEP },
    });
    stack = await startLocalStack(cfg, { logger: pino({ level: 'warn' }) });
    api = stack.apiUrl;
    await waitFor(async () => ((await fetch(`${api}/readyz`)).status === 200 ? true : undefined), 'readyz', 60_000);
    const bmp = { host: '127.0.0.1', port: bmpPort };
    dc1 = new Gobgp({ name: 'xdc-dc1', address: '127.0.3.1', routerId: '10.3.255.1', asn: 65301, apiPort: await freePort(), bmp });
    dc2 = new Gobgp({
      name: 'xdc-dc2',
      address: '127.0.3.2',
      routerId: '10.3.255.2',
      asn: 65302,
      apiPort: await freePort(),
      neighbors: [{ address: '127.0.3.3', asn: 65303 }],
    });
    frr = new FrrBgpd({
      hostname: 'xdc-dc2-frr',
      address: '127.0.3.3',
      routerId: '10.3.255.3',
      asn: 65303,
      neighbors: [{ address: '127.0.3.2', asn: 65302 }],
      bmp,
    });
    await Promise.all([dc1.start(), dc2.start()]);
    frr.start();
    await dc2.waitEstablished('127.0.3.3', 60_000);
    // Both BMP sessions carry routes: one MAC advertised in each fabric shows up.
    await Promise.all([adv('dc1', mac(0xf1)), adv('dc2', mac(0xf2))]);
    await Promise.all([at(mac(0xf1), 'dc1'), at(mac(0xf2), 'dc2')]);
  });

  afterAll(async () => {
    await Promise.all([dc1?.dispose(), dc2?.dispose(), frr?.dispose()]);
    await stack?.stop();
  });

  /** Six moves dc1 → dc2 → dc1 …, each pair 10 ms apart in the given order, within about 15 s. */
  async function bounce(m: string, withdrawFirst: boolean): Promise<void> {
    await adv('dc1', m);
    await at(m, 'dc1');
    for (let i = 1; i <= 6; i++) {
      const [from, to] = i % 2 ? (['dc1', 'dc2'] as const) : (['dc2', 'dc1'] as const);
      if (withdrawFirst) {
        await del(from, m);
        await sleep(10);
        await adv(to, m);
      } else {
        await adv(to, m);
        await sleep(10);
        await del(from, m);
      }
      await at(m, to);
      await sleep(300);
    }
  }

  async function expectOneCrossFabricFlap(m: string): Promise<void> {
    const flaps = await waitFor(async () => {
      const a = (await alertsFor(m)).filter((x) => x.type === 'mac-flap');
      return a.length ? a : undefined;
    }, 'flap alert');
    await sleep(1000); // nothing more comes
    const alerts = await alertsFor(m);
    expect(alerts).toEqual([flaps[0]]); // exactly one alert: the flap (no duplicate-MAC alert for the moves' overlaps)
    expect(flaps[0]).toMatchObject({
      type: 'mac-flap',
      vni: 10300,
      crossFabric: true,
      fabrics: ['dc1', 'dc2'],
      severity: 'critical',
      clearedAt: null,
      locations: [expect.objectContaining({ fabric: 'dc1', vtep: VTEP.dc1 }), expect.objectContaining({ fabric: 'dc2', vtep: VTEP.dc2 })],
    });
    const history = (await host(m)).history as any[];
    expect(history.map((h) => h.kind)).toEqual(Array(6).fill('move'));
    // Newest first: the last move went dc2 → dc1.
    expect(history.map((h) => `${h.from.fabric}>${h.to.fabric}`)).toEqual(['dc2>dc1', 'dc1>dc2', 'dc2>dc1', 'dc1>dc2', 'dc2>dc1', 'dc1>dc2']);
  }

  it('counts a MAC bouncing between the fabrics 6 times, withdraw-first, as 6 moves and raises one cross-fabric flap alert', async () => {
    await bounce(mac(1), true);
    await expectOneCrossFabricFlap(mac(1));
  });

  it('gives the same history and alert when every move is advertise-first', async () => {
    await bounce(mac(2), false);
    await expectOneCrossFabricFlap(mac(2));
  });

  it('keeps a MAC withdrawn for good a disappearance, and its return after the gap an appearance', async () => {
    const m = mac(3);
    await adv('dc1', m);
    await at(m, 'dc1');
    await del('dc1', m);
    await waitFor(async () => ((await host(m)).locations?.length === 0 ? true : undefined), 'gone');
    expect((await host(m)).history.map((h: any) => h.kind)).toEqual(['disappear']);
    await sleep((2 + 1 + 1) * 1000); // past the gap and the skew allowance
    await adv('dc2', m);
    await at(m, 'dc2');
    expect((await host(m)).history.map((h: any) => h.kind)).toEqual(['appear', 'disappear']);
    expect(await alertsFor(m)).toEqual([]);
  });

  it('sees no move when a MAC is withdrawn and re-advertised at the same VTEP within the gap, in either fabric', async () => {
    for (const fabric of ['dc1', 'dc2'] as const) {
      const m = mac(fabric === 'dc1' ? 4 : 5);
      await adv(fabric, m);
      const first = await at(m, fabric);
      await sleep(1100); // a later per-peer timestamp (whole seconds) for the re-advertisement
      await del(fabric, m);
      await sleep(10);
      await adv(fabric, m);
      const back = await waitFor(async () => {
        const l = await locationOf(m);
        return l && l.lastSeen > first.lastSeen ? l : undefined;
      }, `${m} re-advertised`);
      expect(back).toMatchObject({ fabric, vtep: VTEP[fabric], since: first.since });
      await sleep(500);
      expect((await host(m)).history).toEqual([]);
    }
  });

  it('raises one duplicate-MAC alert naming both fabrics within the hold time plus one sweep, and `where` lists both', async () => {
    const m = mac(6);
    const started = Date.now();
    await Promise.all([adv('dc1', m), adv('dc2', m)]);
    // The hold counts from when the index has both locations: the way there (BMP, Kafka, the batch window) is not
    // part of the rule, and takes seconds on a loaded machine.
    await waitFor(async () => ((await locationOf(m))?.competing?.length ? true : undefined), 'both locations indexed', 60_000, 100);
    const indexedAt = Date.now();
    const dup = await waitFor(async () => (await alertsFor(m)).find((a) => a.type === 'duplicate-mac'), 'duplicate-mac alert', 60_000, 100);
    // Not before the hold time has passed, and within the hold plus one sweep of the index having both (with slack
    // for a busy machine's timers).
    expect(Date.now() - started).toBeGreaterThanOrEqual(HOLD * 1000);
    expect(Date.now() - indexedAt).toBeLessThanOrEqual((HOLD + SWEEP) * 1000 + 5000);
    expect(dup).toMatchObject({
      crossFabric: true,
      fabrics: ['dc1', 'dc2'],
      severity: 'critical',
      locations: [
        expect.objectContaining({ fabric: 'dc1', vtep: VTEP.dc1, sequence: 0 }),
        expect.objectContaining({ fabric: 'dc2', vtep: VTEP.dc2, sequence: 0 }),
      ],
    });
    await sleep(SWEEP * 2000);
    expect((await alertsFor(m)).map((a) => a.type)).toEqual(['duplicate-mac']);

    const loc = await locationOf(m);
    expect(loc).toMatchObject({
      fabric: 'dc1',
      vtep: VTEP.dc1,
      competing: [expect.objectContaining({ fabric: 'dc2', vtep: VTEP.dc2, sequence: 0, conflicting: true })],
    });
    // Asynchronously: the API answering it runs in this process.
    const r = await promisify(execFile)(process.execPath, [cli, 'where', m, '--api', api], { encoding: 'utf8', timeout: 60_000 });
    const rows = r.stdout.split('\n').filter((l) => l.startsWith(m));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(new RegExp(`${m}\\s+dc1\\s+10300\\s+${VTEP.dc1.replace(/\./g, '\\.')}\\s.*\\schosen$`));
    expect(rows[1]).toMatch(new RegExp(`${m}\\s+dc2\\s+10300\\s+${VTEP.dc2.replace(/\./g, '\\.')}\\s.*\\sconflicting$`));
  });
});
