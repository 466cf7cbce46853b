import { connect, type Socket } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../../../collector/index.js';
import { attrs, bmpMsg, evpn, open, type2Update, update } from '../../fixtures/bmp/builders.js';
import { RecordingPublisher } from '../../support/recording-publisher.js';

const collectors: Collector[] = [];
afterEach(async () => {
  for (const c of collectors.splice(0)) await c.stop();
});

async function start(publisher: RecordingPublisher, extra: Partial<Parameters<typeof startCollector>[0]> = {}) {
  const c = await startCollector({
    listen: { host: '127.0.0.1', port: 0 },
    fabrics: [
      { name: 'dc1', match: { routerIds: ['10.1.0.1'] } },
      { name: 'lab', match: { addresses: ['127.0.0.0/8'] } },
    ],
    publisher,
    logger: pino({ level: 'silent' }),
    resyncQuietMs: 200,
    ...extra,
  });
  collectors.push(c);
  return c;
}

function send(port: number, data: Buffer, keepOpen = false): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      if (keepOpen) s.write(data, () => resolve(s));
      else s.end(data, () => resolve(s));
    });
    s.on('error', reject);
    s.resume();
  });
}

const until = async (cond: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const router = (bgpId: string, macs: string[], withdraw: string[] = []) =>
  Buffer.concat([
    bmpMsg.initiation({ sysName: `leaf-${bgpId}` }),
    bmpMsg.peerUp({ peer: { address: '10.9.9.9', bgpId: '10.9.9.9' }, sent: open({ asn: 65000, bgpId }) }),
    bmpMsg.routeMonitoring({
      peer: { address: '10.9.9.9', bgpId: '10.9.9.9' },
      update: type2Update({ nextHop: '10.0.0.1', routes: macs.map((mac) => ({ rd: '10.0.0.1:1', mac, label1: 10100 })) }),
    }),
    ...(withdraw.length
      ? [
          bmpMsg.routeMonitoring({
            peer: { address: '10.9.9.9', bgpId: '10.9.9.9' },
            update: update({ attributes: [attrs.mpUnreach(withdraw.map((mac) => evpn.macIp({ rd: '10.0.0.1:1', mac, label1: 0 })))] }),
          }),
        ]
      : []),
  ]);

describe('collector sessions', () => {
  it("names fabric, router and view, drops exact repeats and withdraws a peer's routes on Peer Down", async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub);
    const s = await send(
      c.address.port,
      Buffer.concat([
        router('10.1.0.1', ['02:00:00:00:00:01', '02:00:00:00:00:02']),
        router('10.1.0.1', ['02:00:00:00:00:01']).subarray(bmpMsg.initiation({ sysName: 'leaf-10.1.0.1' }).length),
      ]),
      true,
    );
    await until(() => pub.events.filter((e) => e.value.action === 'ROUTE_ACTION_ADVERTISE').length === 2, 'two advertisements');
    s.write(bmpMsg.peerDown({ peer: { address: '10.9.9.9', bgpId: '10.9.9.9' }, reason: 4 }));
    await until(() => pub.events.some((e) => e.value.reason === 'WITHDRAW_REASON_PEER_DOWN'), 'peer down withdrawals');
    s.destroy();
    const adv = pub.events.filter((e) => e.value.action === 'ROUTE_ACTION_ADVERTISE');
    expect(adv).toHaveLength(2); // the repeated route produced no event
    expect(adv[0]!.value).toMatchObject({
      fabric: 'dc1',
      router: { bgpId: '10.1.0.1', sysName: 'leaf-10.1.0.1' },
      peer: { ribView: 'RIB_VIEW_ADJ_RIB_IN_PRE' },
    });
    expect(adv[0]!.key).toBe('02:00:00:00:00:01');
    expect(
      pub.events
        .filter((e) => e.value.reason === 'WITHDRAW_REASON_PEER_DOWN')
        .map((e) => e.value.mac)
        .sort(),
    ).toEqual(['02:00:00:00:00:01', '02:00:00:00:00:02']);
  });

  it('resolves the fabric by source address when no other rule matches', async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub);
    await send(c.address.port, router('10.7.0.1', ['02:00:00:00:07:01']));
    await until(() => pub.events.some((e) => e.value.mac === '02:00:00:00:07:01'), 'route');
    expect(pub.events.find((e) => e.value.mac)!.value.fabric).toBe('lab');
  });

  it("keeps a lost router's routes as stale and withdraws what the reconnected router did not re-send", async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub);
    await send(c.address.port, router('10.1.0.1', ['02:00:00:00:03:01', '02:00:00:00:03:02']));
    await until(() => pub.events.some((e) => e.value.kind === 'SESSION_EVENT_KIND_ROUTER_DOWN'), 'router down');
    expect(pub.events.some((e) => e.value.action === 'ROUTE_ACTION_WITHDRAW')).toBe(false);
    await send(c.address.port, router('10.1.0.1', ['02:00:00:00:03:01']), true);
    await until(() => pub.events.some((e) => e.value.kind === 'SESSION_EVENT_KIND_RESYNC_COMPLETE'), 'resync complete');
    const stale = pub.events.filter((e) => e.value.reason === 'WITHDRAW_REASON_RESYNC_STALE');
    expect(stale.map((e) => e.value.mac)).toEqual(['02:00:00:00:03:02']);
    // Re-sent unchanged: published again, with the new session's epoch.
    expect(pub.events.filter((e) => e.value.mac === '02:00:00:00:03:01' && e.value.action === 'ROUTE_ACTION_ADVERTISE')).toHaveLength(2);
  });

  it('lets a reconnecting router take over its half-open session: old socket closed, routes not re-sent withdrawn after End-of-RIB', async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub, { resyncQuietMs: 60_000 }); // only End-of-RIB can end this resync within the test
    const macs = ['02:00:00:00:0d:01', '02:00:00:00:0d:02', '02:00:00:00:0d:03'];
    const old = await send(c.address.port, router('10.1.0.1', macs), true);
    const oldClosed = new Promise<void>((r) => old.once('close', () => r()));
    await until(() => pub.events.filter((e) => e.value.action === 'ROUTE_ACTION_ADVERTISE').length === 3, 'three routes');
    // The router rebooted without a FIN: the old TCP session still looks alive when the new one arrives.
    const eor = bmpMsg.routeMonitoring({ peer: { address: '10.9.9.9', bgpId: '10.9.9.9' }, update: update({ attributes: [attrs.mpUnreach([])] }) });
    const fresh = await send(c.address.port, Buffer.concat([router('10.1.0.1', [macs[0]!, '02:00:00:00:0d:04']), eor]), true);
    await oldClosed; // the collector closed the old socket
    await until(() => pub.events.some((e) => e.value.kind === 'SESSION_EVENT_KIND_RESYNC_COMPLETE'), 'resync complete after End-of-RIB');
    const after = (kind: string) => pub.events.filter((e) => e.value.reason === kind).map((e) => e.value.mac);
    expect(after('WITHDRAW_REASON_RESYNC_STALE').sort()).toEqual(['02:00:00:00:0d:02', '02:00:00:00:0d:03']);
    expect(pub.events.filter((e) => e.value.action === 'ROUTE_ACTION_ADVERTISE').map((e) => e.value.mac)).toEqual([...macs, macs[0], '02:00:00:00:0d:04']);
    expect(pub.events.find((e) => e.value.kind === 'SESSION_EVENT_KIND_ROUTER_DOWN')?.value.detail).toMatch(/taken over by a new BMP session/);
    expect(await c.registry.getSingleMetricAsString('evpnlens_bmp_session_takeovers_total')).toMatch(/ 1$/m);
    expect(c.state.routeCount()).toBe(2);
    fresh.destroy();
  });

  it('gives each session an epoch before reading it (retried while Kafka refuses), carried by its events and its RESYNC_COMPLETE', async () => {
    const pub = new RecordingPublisher({ epochs: true });
    const c = await start(pub);
    const epochs = () => pub.events.filter((e) => e.value.kind === 'SESSION_EVENT_KIND_RESYNC_COMPLETE').map((e) => e.value.sessionEpoch);
    await send(c.address.port, router('10.1.0.1', ['02:00:00:00:0e:01']), true);
    await until(() => epochs().length === 1, 'first dump complete');
    pub.refuseAppends = true;
    const second = await send(c.address.port, router('10.1.0.1', ['02:00:00:00:0e:02']), true);
    await new Promise((r) => setTimeout(r, 300));
    expect(pub.events.some((e) => e.value.mac === '02:00:00:00:0e:02')).toBe(false); // nothing read before its epoch
    pub.refuseAppends = false;
    await until(() => epochs().length === 2, 'second dump complete (the half-open first session taken over)');
    const starts = pub.events.filter((e) => e.value.kind === 'SESSION_EVENT_KIND_SESSION_START');
    expect(starts.map((e) => e.key)).toEqual(['127.0.0.1', '127.0.0.1']);
    expect(epochs()).toEqual(['1', '2']); // offset + 1 of each SESSION_START
    const routes = pub.events.filter((e) => e.value.mac);
    expect(routes.map((e) => [e.value.mac, e.value.action, e.value.sessionEpoch])).toEqual([
      ['02:00:00:00:0e:01', 'ROUTE_ACTION_ADVERTISE', '1'],
      ['02:00:00:00:0e:02', 'ROUTE_ACTION_ADVERTISE', '2'],
      ['02:00:00:00:0e:01', 'ROUTE_ACTION_WITHDRAW', '2'], // not re-sent: stale, withdrawn in the new epoch
    ]);
    second.destroy();
  });

  it('counts and logs a session cut in the middle of a message', async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub);
    const whole = router('10.1.0.3', ['02:00:00:00:0e:01']);
    await send(c.address.port, whole.subarray(0, whole.length - 7));
    await until(() => c.sessions() === 0 && pub.events.some((e) => e.value.kind === 'SESSION_EVENT_KIND_ROUTER_DOWN'), 'the session to end');
    expect(await c.registry.getSingleMetricAsString('evpnlens_bmp_truncated_sessions_total')).toMatch(/ 1$/m);
    expect(pub.events.some((e) => e.value.mac === '02:00:00:00:0e:01')).toBe(false);
  });

  it("stops reading a router's socket while the publisher is full, and loses nothing when it drains", async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub);
    pub.hold(10_000);
    const macs = Array.from({ length: 20_000 }, (_, i) => `02:bb:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`);
    const chunks = [];
    for (let i = 0; i < macs.length; i += 10)
      chunks.push(
        bmpMsg.routeMonitoring({
          peer: { address: '10.9.9.9', bgpId: '10.9.9.9' },
          update: type2Update({ nextHop: '10.0.0.1', routes: macs.slice(i, i + 10).map((mac) => ({ rd: '10.0.0.1:1', mac, label1: 1 })) }),
        }),
      );
    const s = await send(c.address.port, router('10.1.0.2', []), true);
    s.write(Buffer.concat(chunks));
    // The session events of the first chunk are the enqueues that said "full": the socket is paused from then on.
    await until(() => pub.events.length > 0, 'the first events');
    await new Promise((r) => setTimeout(r, 500));
    const whilePaused = pub.events.filter((e) => e.value.mac?.startsWith('02:bb')).length;
    expect(whilePaused).toBeLessThan(macs.length); // the socket was paused: the rest waits in TCP buffers
    expect(s.writableLength + whilePaused).toBeGreaterThan(0);
    pub.release();
    await until(() => pub.events.filter((e) => e.value.mac?.startsWith('02:bb')).length === macs.length, 'every route after the drain');
    const text = await c.registry.getSingleMetricAsString('evpnlens_bmp_backpressure_seconds_total');
    expect(Number(/ ([\d.e+-]+)$/m.exec(text)?.[1])).toBeGreaterThan(0.4);
    s.destroy();
  });

  it('survives 20,000 mutated messages on 40 bad sessions while a good session keeps flowing', async () => {
    const pub = new RecordingPublisher();
    const c = await start(pub);
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const good = Array.from({ length: 500 }, (_, i) => `02:cc:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`);
    const bad: Promise<unknown>[] = [];
    for (let s = 0; s < 40; s++) {
      const msgs: Buffer[] = [router(`10.66.0.${s}`, [])];
      for (let i = 0; i < 500; i++) {
        const m = Buffer.from(
          bmpMsg.routeMonitoring({
            peer: { address: '10.9.9.9', bgpId: '10.9.9.9' },
            update: type2Update({ nextHop: '10.0.0.1', routes: [{ rd: '1:1', mac: `02:dd:00:00:00:${(i & 0xff).toString(16).padStart(2, '0')}`, label1: 1 }] }),
          }),
        );
        // Corrupt the body (the header stays sane, so the session goes on to the next message) or, rarely, the header.
        const n = 1 + Math.floor(rnd() * 6);
        for (let k = 0; k < n; k++) m[6 + Math.floor(rnd() * (m.length - 6))] = Math.floor(rnd() * 256);
        if (s % 10 === 0 && i === 400) m[0] = 9; // a broken frame ends that session only
        msgs.push(m);
      }
      bad.push(send(c.address.port, Buffer.concat(msgs)).catch(() => undefined));
    }
    const goodSock = send(c.address.port, router('10.1.0.9', good));
    await Promise.all([...bad, goodSock]);
    await until(
      () => pub.events.filter((e) => e.value.router?.bgpId === '10.1.0.9' && e.value.action === 'ROUTE_ACTION_ADVERTISE').length === good.length,
      "the good session's routes",
      20_000,
    );
    const errors = await c.registry.getSingleMetricAsString('evpnlens_bmp_decode_errors_total');
    const updateErrors = await c.registry.getSingleMetricAsString('evpnlens_bgp_update_errors_total');
    const ignored = await c.registry.getSingleMetricAsString('evpnlens_bgp_updates_ignored_total');
    expect(Number(/kind="framing"} (\d+)/.exec(errors)?.[1])).toBe(4);
    // Every RFC 7606 class occurs among 20,000 mutated UPDATEs, and a disabled peer's later UPDATEs are ignored.
    for (const cls of ['treat-as-withdraw', 'attribute-discard', 'afi-safi-disable', 'session-reset']) {
      expect(Number(new RegExp(`class="${cls}"} (\\d+)`).exec(updateErrors)?.[1]), cls).toBeGreaterThan(10);
    }
    expect(Number(/reason="session-reset"} (\d+)/.exec(ignored)?.[1])).toBeGreaterThan(1000);
    // Still accepting sessions.
    await send(c.address.port, router('10.1.0.10', ['02:ee:00:00:00:01']));
    await until(() => pub.events.some((e) => e.value.mac === '02:ee:00:00:00:01'), 'a new session after the fuzzing');
  });
});
