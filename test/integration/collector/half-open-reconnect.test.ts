import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../infra/config/load-config.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { TOPICS } from '../../../schemas/topics.js';
import { brokers, dynamodbEndpoint, uniqueName, waitFor } from '../support/env.js';
import { HalfOpenProxy } from '../support/half-open-proxy.js';
import { TopicReader } from '../support/topic-reader.js';

// A router (Debian gobgpd) is killed and started again while the collector still holds its old BMP session (a relay
// keeps the collector's side open, as when a FIN never arrives). The new session takes the router over; the old
// routes are stale until the router's End-of-RIB, after which the MAC index holds exactly the routes re-advertised.
// GoBGP sends a peer's table followed by End-of-RIB when its BMP session starts after the BGP session is up, so the
// relay lets the restarted router's BMP in only then. Routers on 127.0.2.0/24.
describe('a router restarting over a half-open BMP session', () => {
  let stack: LocalStack;
  let proxy: HalfOpenProxy;
  let r1: Gobgp; // the monitored router (BMP exporter), killed and restarted
  let r2: Gobgp; // its neighbor, which originates the MACs and stays up
  const sessions = new TopicReader(TOPICS.sessions);
  const R1 = '10.2.0.1';
  const QUIET_S = 90;
  const VNI = 10100;
  const mac = (n: number) => `02:02:00:00:00:0${n}`;
  const macadv = (op: 'add' | 'del', m: string) =>
    r2.evpn(op, [
      'macadv',
      m,
      '0.0.0.0',
      'etag',
      '0',
      'label',
      String(VNI),
      'rd',
      '10.2.0.2:1',
      ...(op === 'add' ? ['rt', '65000:10100', 'encap', 'vxlan', 'nexthop', '10.2.0.2'] : []),
    ]);
  const hostsOfVni = async (): Promise<string[]> => {
    const res = await fetch(`${stack.apiUrl}/v1/vnis/${VNI}/hosts?limit=500`);
    return ((await res.json()) as { hosts: { mac: string }[] }).hosts.map((h) => h.mac).sort();
  };
  const metric = async (name: string) => Number(/ (\d+)$/m.exec(await stack.collector.registry.getSingleMetricAsString(name))?.[1] ?? 0);

  beforeAll(async () => {
    const cfg = parseConfig({
      fabrics: [{ name: 'dc-restart', match: { routerIds: [R1] } }],
      kafka: { brokers: brokers() },
      dynamodb: { endpoint: dynamodbEndpoint(), tablePrefix: `${uniqueName('ho')}-` },
      // Within the test's wait for the resync (so a resync the quiet time ended arrives, and fails the check below),
      // and far longer than End-of-RIB takes here (a few seconds).
      collector: { bmp: { listen: '127.0.0.1:0', resyncQuietSeconds: QUIET_S } },
      api: { listen: '127.0.0.1:0' },
      eventSource: { batchSize: 200, batchingWindowMs: 20, startingPosition: 'LATEST' },
    });
    stack = await startLocalStack(cfg, { logger: pino({ level: 'warn' }) });
    await waitFor(async () => ((await fetch(`${stack.apiUrl}/readyz`)).status === 200 ? true : undefined), 'readyz', 60_000);
    await sessions.start();
    const [host, port] = stack.bmpAddress.split(':') as [string, string];
    proxy = new HalfOpenProxy({ host: '127.0.2.3', port: await freePort() }, { host, port: Number(port) }, '127.0.2.1');
    await proxy.accept();
    r2 = new Gobgp({
      name: 'ho-r2',
      address: '127.0.2.2',
      routerId: '10.2.0.2',
      asn: 65202,
      apiPort: await freePort(),
      neighbors: [{ address: '127.0.2.1', asn: 65201 }],
    });
    r1 = new Gobgp({
      name: 'ho-r1',
      address: '127.0.2.1',
      routerId: R1,
      asn: 65201,
      apiPort: await freePort(),
      neighbors: [{ address: '127.0.2.2', asn: 65202 }],
      bmp: proxy.listen,
      bmpPolicy: 'pre-policy', // GoBGP ends the pre- and post-policy dumps with End-of-RIB, not its Loc-RIB dump
    });
    await Promise.all([r2.start(), r1.start()]);
  });

  afterAll(async () => {
    await Promise.all([r1?.dispose(), r2?.dispose()]);
    await proxy?.stop();
    await sessions.stop();
    await stack?.stop();
  });

  it('after End-of-RIB the index holds exactly the routes re-advertised, and none of the ones that were not', { timeout: 300_000 }, async () => {
    for (const n of [1, 2, 3]) await macadv('add', mac(n));
    await r1.waitEstablished('127.0.2.2');
    await waitFor(async () => ((await hostsOfVni()).length === 3 ? true : undefined), 'three hosts in the index', 60_000);
    expect(await hostsOfVni()).toEqual([mac(1), mac(2), mac(3)]);

    // The router dies without a word; the relay keeps the collector's side of its BMP session open.
    await proxy.refuse();
    await r1.kill();
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.collector.sessions()).toBe(1); // the collector still holds the old session
    expect(proxy.upstreams[0]!.closedAt).toBeUndefined();

    // Meanwhile the neighbor drops one MAC and learns another: nobody tells the collector.
    await macadv('del', mac(3));
    await macadv('add', mac(4));

    // The router comes back; once its BGP session is up, its BMP session connects and re-sends the peer's table.
    const reconnectAt = Date.now();
    await r1.start();
    await r1.waitEstablished('127.0.2.2');
    await proxy.accept();
    await waitFor(() => (proxy.upstreams[0]!.closedAt !== undefined ? true : undefined), 'the collector to close the old session', 60_000);
    expect(await metric('evpnlens_bmp_session_takeovers_total')).toBe(1);
    const down = await sessions.waitFor((e) => e.router?.bgpId === R1 && e.kind === 'SESSION_EVENT_KIND_ROUTER_DOWN', 'the old session reported down');
    expect(down[0]!.detail).toMatch(/taken over by a new BMP session/);
    await sessions.waitFor(
      (e) => e.router?.bgpId === R1 && e.kind === 'SESSION_EVENT_KIND_RESYNC_COMPLETE',
      'resync complete (End-of-RIB, or the quiet time)',
      1,
      (QUIET_S + 30) * 1000,
    );
    const resyncMs = Date.now() - reconnectAt;

    await waitFor(async () => ((await hostsOfVni()).join() === [mac(1), mac(2), mac(4)].join() ? true : undefined), 'the re-advertised hosts only', 60_000);
    expect(await hostsOfVni()).toEqual([mac(1), mac(2), mac(4)]);
    const gone = await fetch(`${stack.apiUrl}/v1/hosts/${mac(3)}`);
    expect(gone.status === 404 || ((await gone.json()) as { locations: unknown[] }).locations.length === 0).toBe(true);
    // End-of-RIB did it, not the quiet time: the quiet time would have taken QUIET_S from the last re-sent route.
    expect(resyncMs).toBeLessThan((QUIET_S * 1000) / 2);
    expect(stack.collector.state.routeCount()).toBe(3);
  });
});
