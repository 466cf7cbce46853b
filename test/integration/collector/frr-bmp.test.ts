import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, createKafkaPublisher, startCollector } from '../../../collector/index.js';
import { FrrBgpd } from '../../../infra/lab/frr.js';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { TOPICS } from '../../../schemas/topics.js';
import { brokers } from '../support/env.js';
import { TopicReader } from '../support/topic-reader.js';

// FRR's bgpd exports, over BMP, the EVPN routes it learns from a GoBGP peer: the collector must publish them with
// FRR's sysName-based fabric, and follow withdrawals and the peer going down.
describe('collector with FRR', () => {
  let collector: Collector;
  let gobgp: Gobgp;
  let frr: FrrBgpd;
  const routes = new TopicReader(TOPICS.routes);
  const sessions = new TopicReader(TOPICS.sessions);
  const fromFrr = (e: Record<string, any>) => e.router?.sysName === 'frr-leaf96';

  beforeAll(async () => {
    const port = await freePort();
    collector = await startCollector({
      listen: { host: '127.0.0.1', port },
      fabrics: [{ name: 'dc-frr', match: { sysNames: ['frr-*'] } }],
      publisher: (metrics) => createKafkaPublisher({ brokers: brokers(), metrics }),
      logger: pino({ level: 'warn' }),
    });
    await routes.start();
    await sessions.start();
    gobgp = new Gobgp({
      name: 'g95',
      address: '127.0.0.95',
      routerId: '10.95.0.1',
      asn: 65095,
      apiPort: await freePort(),
      neighbors: [{ address: '127.0.0.96', asn: 65096 }],
    });
    frr = new FrrBgpd({
      hostname: 'frr-leaf96',
      address: '127.0.0.96',
      routerId: '10.95.0.2',
      asn: 65096,
      neighbors: [{ address: '127.0.0.95', asn: 65095 }],
      bmp: { host: '127.0.0.1', port },
    });
    await gobgp.start();
    frr.start();
    await gobgp.waitEstablished('127.0.0.96', 60_000);
  });

  afterAll(async () => {
    await Promise.all([gobgp?.dispose(), frr?.dispose()]);
    await routes.stop();
    await sessions.stop();
    await collector?.stop();
    await collector?.publisher.close();
  });

  it('publishes type-2 and type-5 routes FRR learnt, pre- and post-policy, in its sysName fabric', async () => {
    await gobgp.evpn('add', [
      'macadv',
      '02:95:00:00:00:01',
      '10.95.1.1',
      'etag',
      '0',
      'label',
      '10950',
      'rd',
      '10.95.0.1:100',
      'rt',
      '65095:10950',
      'encap',
      'vxlan',
      'nexthop',
      '10.95.0.1',
    ]);
    await gobgp.evpn('add', [
      'prefix',
      '10.95.50.0/24',
      'gw',
      '0.0.0.0',
      'etag',
      '0',
      'label',
      '50950',
      'rd',
      '10.95.0.1:200',
      'rt',
      '65095:50950',
      'encap',
      'vxlan',
    ]);
    const t2 = await routes.waitFor((e) => fromFrr(e) && e.mac === '02:95:00:00:00:01' && e.action === 'ROUTE_ACTION_ADVERTISE', 'type 2 via FRR', 2, 60_000);
    expect(new Set(t2.map((e) => e.peer.ribView))).toEqual(new Set(['RIB_VIEW_ADJ_RIB_IN_PRE', 'RIB_VIEW_ADJ_RIB_IN_POST']));
    // FRR 8 sends EVPN labels as 0 over BMP: the VNI comes from the auto-derived route target (RFC 8365 §5.1.2.1).
    expect(t2[0]).toMatchObject({
      fabric: 'dc-frr',
      ip: '10.95.1.1',
      rd: '10.95.0.1:100',
      vni: 10950,
      nextHop: '10.95.0.1',
      routeTargets: ['65095:10950'],
      peer: { address: '127.0.0.95', asn: 65095 },
    });
    const t5 = await routes.waitFor((e) => fromFrr(e) && e.routeType === 5 && e.action === 'ROUTE_ACTION_ADVERTISE', 'type 5 via FRR', 1, 30_000);
    expect(t5[0]).toMatchObject({ ipPrefix: '10.95.50.0/24', routeTargets: ['65095:50950'] }); // FRR sends no label here either
    await sessions.waitFor((e) => fromFrr(e) && e.kind === 'SESSION_EVENT_KIND_PEER_UP' && e.peer?.address === '127.0.0.95', 'FRR peer up');
  });

  it("publishes FRR's withdrawal, and withdraws the peer's routes when it goes down", async () => {
    await gobgp.evpn('del', ['macadv', '02:95:00:00:00:01', '10.95.1.1', 'etag', '0', 'label', '10950', 'rd', '10.95.0.1:100']);
    const wd = await routes.waitFor(
      (e) => fromFrr(e) && e.mac === '02:95:00:00:00:01' && e.action === 'ROUTE_ACTION_WITHDRAW' && e.reason === 'WITHDRAW_REASON_EXPLICIT',
      'FRR withdrawal',
      1,
      30_000,
    );
    expect(wd[0]!.vni).toBe(10950); // the withdrawal names the VNI its advertisement had
    await gobgp.stop();
    await sessions.waitFor((e) => fromFrr(e) && e.kind === 'SESSION_EVENT_KIND_PEER_DOWN' && e.peer?.address === '127.0.0.95', 'FRR peer down', 1, 60_000);
    // Whatever FRR did not withdraw itself before its Peer Down (the type-5 route) is withdrawn by the collector.
    const gone = await routes.waitFor((e) => fromFrr(e) && e.routeType === 5 && e.action === 'ROUTE_ACTION_WITHDRAW', 'type 5 withdrawn', 1, 30_000);
    expect(['WITHDRAW_REASON_EXPLICIT', 'WITHDRAW_REASON_PEER_DOWN']).toContain(gone[0]!.reason);
  });
});
