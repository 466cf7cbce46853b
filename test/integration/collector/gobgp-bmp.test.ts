import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, createKafkaPublisher, startCollector } from '../../../collector/index.js';
import { partitionOfKey } from '../../../collector/publish/murmur2.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { TOPICS } from '../../../schemas/topics.js';
import { brokers, kafkaClient } from '../support/env.js';
import { type Json, TopicReader } from '../support/topic-reader.js';

// Two real GoBGP speakers in two fabrics, eBGP-peered, both exporting BMP (pre-, post-policy and Loc-RIB) to the
// collector, which publishes to the real Kafka broker. What reaches Kafka must be what was injected.
describe('collector with GoBGP routers', () => {
  let collector: Collector;
  let r1: Gobgp;
  let r2: Gobgp;
  const routes = new TopicReader(TOPICS.routes);
  const sessions = new TopicReader(TOPICS.sessions);
  const R1 = '10.77.0.11';
  const R2 = '10.77.0.12';
  const fromR = (id: string) => (e: Json) => e.router?.bgpId === id;
  const locRib = (e: Json) => e.peer?.ribView === 'RIB_VIEW_LOC_RIB';

  let partitions = 0;

  beforeAll(async () => {
    const admin = kafkaClient('partitions').admin();
    await admin.connect();
    partitions = (await admin.fetchTopicMetadata({ topics: [TOPICS.routes] })).topics[0]!.partitions.length;
    await admin.disconnect();
    const port = await freePort();
    collector = await startCollector({
      listen: { host: '127.0.0.1', port },
      fabrics: [
        { name: 'dc1', match: { routerIds: [R1] } },
        { name: 'dc2', match: { routerIds: [R2] } },
      ],
      publisher: (metrics) => createKafkaPublisher({ brokers: brokers(), metrics }),
      resyncQuietMs: 3_000,
      logger: pino({ level: 'warn' }),
    });
    await routes.start();
    await sessions.start();
    const [api1, api2] = [await freePort(), await freePort()];
    r1 = new Gobgp({
      name: 'r1',
      address: '127.0.0.71',
      routerId: R1,
      asn: 65071,
      apiPort: api1,
      neighbors: [{ address: '127.0.0.72', asn: 65072 }],
      bmp: { host: '127.0.0.1', port },
    });
    r2 = new Gobgp({
      name: 'r2',
      address: '127.0.0.72',
      routerId: R2,
      asn: 65072,
      apiPort: api2,
      neighbors: [{ address: '127.0.0.71', asn: 65071 }],
      bmp: { host: '127.0.0.1', port },
    });
    await Promise.all([r1.start(), r2.start()]);
    await r1.waitEstablished('127.0.0.72');
  });

  afterAll(async () => {
    await Promise.all([r1?.dispose(), r2?.dispose()]);
    await routes.stop();
    await sessions.stop();
    await collector?.stop();
    await collector?.publisher.close();
  });

  it('publishes EVPN route types 1-5 injected into a router, with their fields, fabric and RIB views', async () => {
    await r1.evpn('add', [
      'macadv',
      '02:77:00:00:00:01',
      '10.77.1.1',
      'esi',
      'ARBITRARY',
      '01:02:03:04:05:06:07:08:09',
      'etag',
      '0',
      'label',
      '10100',
      'rd',
      '10.77.0.11:100',
      'rt',
      '65071:10100',
      'encap',
      'vxlan',
      'router-mac',
      '02:77:ff:00:00:01',
      'nexthop',
      '10.77.0.11',
    ]);
    await r1.evpn('add', [
      'a-d',
      'esi',
      'ARBITRARY',
      '01:02:03:04:05:06:07:08:09',
      'etag',
      '0',
      'label',
      '10100',
      'rd',
      '10.77.0.11:100',
      'rt',
      '65071:10100',
      'encap',
      'vxlan',
      'esi-label',
      '100',
    ]);
    await r1.evpn('add', [
      'multicast',
      '10.77.0.11',
      'etag',
      '0',
      'rd',
      '10.77.0.11:100',
      'rt',
      '65071:10100',
      'encap',
      'vxlan',
      'pmsi',
      'ingress-repl',
      '10100',
      '10.77.0.11',
    ]);
    await r1.evpn('add', ['esi', '10.77.0.11', 'esi', 'ARBITRARY', '01:02:03:04:05:06:07:08:09', 'rd', '10.77.0.11:100', 'encap', 'vxlan']);
    await r1.evpn('add', [
      'prefix',
      '10.77.50.0/24',
      'gw',
      '0.0.0.0',
      'etag',
      '0',
      'label',
      '50000',
      'rd',
      '10.77.0.11:200',
      'rt',
      '65071:50000',
      'encap',
      'vxlan',
      'router-mac',
      '02:77:ff:00:00:01',
    ]);

    const byType = async (t: number) =>
      (await routes.waitFor((e) => fromR(R1)(e) && locRib(e) && e.routeType === t && e.action === 'ROUTE_ACTION_ADVERTISE', `type ${t} from r1 Loc-RIB`))[0]!;
    const t2 = await byType(2);
    expect(t2).toMatchObject({
      fabric: 'dc1',
      mac: '02:77:00:00:00:01',
      ip: '10.77.1.1',
      rd: '10.77.0.11:100',
      esi: '00:01:02:03:04:05:06:07:08:09',
      vni: 10100,
      labels: [10100],
      nextHop: '10.77.0.11',
      routeTargets: ['65071:10100'],
      encapsulations: [8],
      routerMac: '02:77:ff:00:00:01',
    });
    // The event sits on the partition its MAC hashes to (Kafka's murmur2 over the topic's partitions).
    expect(t2._partition).toBe(partitionOfKey('02:77:00:00:00:01', partitions));
    expect(await byType(1)).toMatchObject({ esi: '00:01:02:03:04:05:06:07:08:09', hasEsiLabel: true, esiLabel: 100, rd: '10.77.0.11:100' });
    expect(await byType(3)).toMatchObject({ originatorIp: '10.77.0.11', pmsi: { tunnelType: 6, label: 10100, tunnelId: '10.77.0.11' } });
    expect(await byType(4)).toMatchObject({ originatorIp: '10.77.0.11', esi: '00:01:02:03:04:05:06:07:08:09' });
    expect(await byType(5)).toMatchObject({
      ipPrefix: '10.77.50.0/24',
      gatewayIp: '0.0.0.0',
      l3Vni: 50000,
      routerMac: '02:77:ff:00:00:01',
      rd: '10.77.0.11:200',
    });

    // r2 learns it over eBGP: its Adj-RIB-In pre- and post-policy views report the route from peer r1, in fabric dc2.
    const inR2 = await routes.waitFor((e) => fromR(R2)(e) && e.mac === '02:77:00:00:00:01' && e.peer?.address === '127.0.0.71', 'r2 Adj-RIB-In copies', 2);
    expect(new Set(inR2.map((e) => e.peer.ribView))).toEqual(new Set(['RIB_VIEW_ADJ_RIB_IN_PRE', 'RIB_VIEW_ADJ_RIB_IN_POST']));
    expect(inR2[0]).toMatchObject({ fabric: 'dc2', nextHop: '10.77.0.11', peer: { asn: 65071, bgpId: R1 } });
    // Session events: both routers up, r2's peer r1 up with its capabilities.
    await sessions.waitFor((e) => fromR(R2)(e) && e.kind === 'SESSION_EVENT_KIND_PEER_UP' && e.peer?.address === '127.0.0.71', 'peer up');
  });

  it('publishes a move: the new VTEP advertises before the old one withdraws', async () => {
    await r2.evpn('add', [
      'macadv',
      '02:77:00:00:00:02',
      '10.77.1.2',
      'etag',
      '0',
      'label',
      '10100',
      'rd',
      '10.77.0.12:100',
      'rt',
      '65072:10100',
      'encap',
      'vxlan',
      'nexthop',
      '10.77.0.12',
    ]);
    await routes.waitFor((e) => fromR(R2)(e) && locRib(e) && e.mac === '02:77:00:00:00:02' && e.action === 'ROUTE_ACTION_ADVERTISE', 'mac 2 on r2');
    await r1.evpn('add', [
      'macadv',
      '02:77:00:00:00:02',
      '10.77.1.2',
      'etag',
      '0',
      'label',
      '10100',
      'rd',
      '10.77.0.11:100',
      'rt',
      '65071:10100',
      'encap',
      'vxlan',
      'nexthop',
      '10.77.0.11',
    ]);
    await r2.evpn('del', ['macadv', '02:77:00:00:00:02', '10.77.1.2', 'etag', '0', 'label', '10100', 'rd', '10.77.0.12:100']);
    const moved = await routes.waitFor(
      (e) => fromR(R1)(e) && locRib(e) && e.mac === '02:77:00:00:00:02' && e.action === 'ROUTE_ACTION_ADVERTISE' && e.nextHop === '10.77.0.11',
      'mac 2 on r1',
    );
    const gone = await routes.waitFor(
      (e) => fromR(R2)(e) && locRib(e) && e.mac === '02:77:00:00:00:02' && e.action === 'ROUTE_ACTION_WITHDRAW' && e.rd === '10.77.0.12:100',
      'mac 2 withdrawn on r2',
    );
    expect(gone[0]).toMatchObject({ reason: 'WITHDRAW_REASON_EXPLICIT' });
    // GoBGP applies MAC mobility: r1 knew r2's route, so its own advertisement carries a sequence number.
    expect(moved[0]!.hasMacMobility).toBe(true);
    // All updates of one MAC share a partition (keyed by MAC), whatever router or fabric they came from, and keep the
    // collector's order there.
    const mac2 = routes.where((e) => e.mac === '02:77:00:00:00:02');
    expect(new Set(mac2.map((e) => e._partition))).toEqual(new Set([partitionOfKey('02:77:00:00:00:02', partitions)]));
    const seqs = mac2.map((e) => BigInt(e.collectorSeq));
    expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("withdraws a peer's routes on Peer Down, and after a router restart withdraws what it did not re-send", async () => {
    await r1.stop();
    const viaPeerDown = await routes.waitFor(
      (e) => fromR(R2)(e) && e.mac === '02:77:00:00:00:01' && e.action === 'ROUTE_ACTION_WITHDRAW' && e.reason === 'WITHDRAW_REASON_PEER_DOWN',
      'peer-down withdrawals',
    );
    // GoBGP withdraws its post-policy and Loc-RIB copies itself; the pre-policy view goes with the Peer Down.
    expect(viaPeerDown[0]).toMatchObject({
      peer: { address: '127.0.0.71', ribView: 'RIB_VIEW_ADJ_RIB_IN_PRE' },
      fabric: 'dc2',
      routeKey: '2:10.77.0.11:100:0:02:77:00:00:00:01:10.77.1.1',
    });
    await sessions.waitFor((e) => fromR(R2)(e) && e.kind === 'SESSION_EVENT_KIND_PEER_DOWN' && e.peer?.address === '127.0.0.71', 'peer down event');
    await sessions.waitFor((e) => fromR(R1)(e) && e.kind === 'SESSION_EVENT_KIND_ROUTER_DOWN', 'router down');
    // Nothing of r1's own Loc-RIB was withdrawn by the lost BMP session: it is only stale.
    expect(routes.where((e) => fromR(R1)(e) && locRib(e) && e.action === 'ROUTE_ACTION_WITHDRAW' && e.reason !== 'WITHDRAW_REASON_EXPLICIT')).toEqual([]);

    await r1.start();
    await r1.evpn('add', [
      'macadv',
      '02:77:00:00:00:01',
      '10.77.1.1',
      'esi',
      'ARBITRARY',
      '01:02:03:04:05:06:07:08:09',
      'etag',
      '0',
      'label',
      '10100',
      'rd',
      '10.77.0.11:100',
      'rt',
      '65071:10100',
      'encap',
      'vxlan',
      'router-mac',
      '02:77:ff:00:00:01',
      'nexthop',
      '10.77.0.11',
    ]);
    const stale = await routes.waitFor(
      (e) => fromR(R1)(e) && locRib(e) && e.action === 'ROUTE_ACTION_WITHDRAW' && e.reason === 'WITHDRAW_REASON_RESYNC_STALE',
      'stale withdrawals',
      5,
      45_000,
    );
    expect(new Set(stale.map((e) => e.routeType))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(stale.some((e) => e.mac === '02:77:00:00:00:02')).toBe(true);
    expect(stale.some((e) => e.mac === '02:77:00:00:00:01')).toBe(false);
    await sessions.waitFor((e) => fromR(R1)(e) && e.kind === 'SESSION_EVENT_KIND_RESYNC_COMPLETE', 'resync complete');
  });
});
