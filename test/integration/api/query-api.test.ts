import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../infra/local/stack.js';
import { macRoute } from '../../support/route-events.js';
import { waitFor } from '../support/env.js';
import { publishRoutes, startTestStack } from '../support/stack.js';

describe('query API on the local stack', () => {
  let stack: LocalStack;
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${stack.apiUrl}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
  };
  const MAC = (i: number) => `02:55:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;

  beforeAll(async () => {
    stack = await startTestStack();
    const events = [];
    for (let i = 0; i < 120; i++)
      events.push(macRoute({ mac: MAC(i), vni: 30300, vtep: i < 60 ? '10.55.0.1' : '10.55.0.2', fabric: 'dc1', ip: `10.55.${i >> 8}.${i & 0xff}` }));
    events.push(macRoute({ mac: '02:55:ff:00:00:01', vni: 30301, vtep: '10.56.0.1', fabric: 'dc2', ip: '2001:db8:55::1' }));
    events.push(macRoute({ mac: '02:55:ff:00:00:02', vni: 30301, vtep: '10.56.0.1', fabric: 'dc2' }));
    await publishRoutes(events);
    await waitFor(async () => ((await get('/v1/hosts/02:55:ff:00:00:02')).status === 200 ? true : undefined), 'first location');
    await new Promise((r) => setTimeout(r, 50)); // the move happens strictly later than the first sighting
    await publishRoutes([macRoute({ mac: '02:55:ff:00:00:02', vni: 30301, vtep: '10.55.0.9', fabric: 'dc1', seq: 1 })]);
    await waitFor(async () => ((await get('/v1/hosts/02:55:ff:00:00:02')).body.locations?.[0]?.fabric === 'dc1' ? true : undefined), 'index filled');
    // Every host, not only the last published: the events spread over partitions, indexed in no set order.
    await waitFor(async () => ((await get('/v1/hosts/02:55:ff:00:00:01')).status === 200 ? true : undefined), 'the IPv6 host indexed');
    await waitFor(async () => ((await get('/v1/vnis/30300/hosts?limit=500')).body.hosts?.length === 120 ? true : undefined), 'all 120 hosts indexed');
  });
  afterAll(async () => stack?.stop());

  it('serves a valid OpenAPI 3.1 document', async () => {
    const { status, body } = await get('/v1/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(body));
    expect(result.valid, JSON.stringify(result)).toBe(true);
  });

  it.each(['02:55:00:00:00:07', '02-55-00-00-00-07', '0255.0000.0007', '02:55:00:00:00:07'.toUpperCase()])(
    'answers GET /v1/hosts/%s with the lower-case colon form',
    async (mac) => {
      const { status, body } = await get(`/v1/hosts/${mac}`);
      expect(status).toBe(200);
      expect(body.mac).toBe('02:55:00:00:00:07');
      expect(body.locations).toEqual([
        expect.objectContaining({ fabric: 'dc1', vni: 30300, vtep: '10.55.0.1', vteps: ['10.55.0.1'], ips: ['10.55.0.7'], sequence: 0 }),
      ]);
      expect(Object.keys(body.locations[0]).sort()).toEqual([
        'competing',
        'esi',
        'fabric',
        'ips',
        'lastSeen',
        'routers',
        'sequence',
        'since',
        'vni',
        'vtep',
        'vteps',
      ]);
      expect(body.locations[0].competing).toEqual([]);
    },
  );

  it('answers where a host was at a time, and its move history', async () => {
    const now = await get('/v1/hosts/02:55:ff:00:00:02');
    expect(now.body.history).toEqual([
      expect.objectContaining({ kind: 'move', from: expect.objectContaining({ fabric: 'dc2' }), to: expect.objectContaining({ fabric: 'dc1' }) }),
    ]);
    const movedAt = now.body.history[0].at as string;
    const before = await get(`/v1/hosts/02:55:ff:00:00:02?at=${new Date(Date.parse(movedAt) - 1).toISOString()}`);
    expect(before.body.locations).toEqual([expect.objectContaining({ fabric: 'dc2', vtep: '10.56.0.1' })]);
    const after = await get(`/v1/hosts/02:55:ff:00:00:02?at=${movedAt}`);
    expect(after.body.locations).toEqual([expect.objectContaining({ fabric: 'dc1', vtep: '10.55.0.9' })]);
  });

  it('finds hosts by IPv4 and IPv6 address', async () => {
    expect((await get('/v1/hosts?ip=10.55.0.9')).body.hosts).toEqual([expect.objectContaining({ mac: MAC(9) })]);
    expect((await get('/v1/hosts?ip=2001:DB8:55:0::1')).body.hosts).toEqual([expect.objectContaining({ mac: '02:55:ff:00:00:01' })]);
    expect((await get('/v1/hosts?ip=10.99.99.99')).body.hosts).toEqual([]);
  });

  it('pages through a VNI and a VTEP with an opaque cursor, every host once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: any } = await get(`/v1/vnis/30300/hosts?limit=25${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expect(body.hosts.length).toBeLessThanOrEqual(25);
      seen.push(...body.hosts.map((h: { mac: string }) => h.mac));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(seen.length).toBe(120);
    expect(new Set(seen).size).toBe(120);
    const vtep = await get('/v1/vteps/10.55.0.2/hosts?limit=500');
    expect(vtep.body.hosts).toHaveLength(60);
  });

  it('lists configured and seen fabrics with their counts', async () => {
    const { body } = await get('/v1/fabrics');
    const dc1 = body.fabrics.find((f: { name: string }) => f.name === 'dc1');
    expect(dc1).toMatchObject({ configured: true, macs: 121, vnis: 2, vteps: 3, macsPerVni: { '30300': 120, '30301': 1 } });
    expect(body.fabrics.find((f: { name: string }) => f.name === 'dc2')).toMatchObject({ macs: 1 });
  });

  it('lists alerts (none here) and answers health and readiness', async () => {
    expect((await get('/v1/alerts?type=mac-flap&since=2026-01-01T00:00:00Z')).body).toEqual({ alerts: [] });
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
  });

  it.each([
    ['/v1/hosts/not-a-mac', 400, /not a MAC address/],
    ['/v1/hosts/02:55:00:00:00:0g', 400, /not a MAC address/],
    ['/v1/hosts/02:55:00:00:00:07?at=yesterday', 400, /at: .*ISO-8601/],
    ['/v1/hosts', 400, /ip is required/],
    ['/v1/hosts?ip=10.0.0.256', 400, /not an IPv4 or IPv6 address/],
    ["/v1/hosts?ip=1.2.3.4'%20OR%201=1", 400, /not an IPv4 or IPv6 address/],
    ['/v1/vnis/abc/hosts', 400, /not a VNI/],
    ['/v1/vnis/16777216/hosts', 400, /outside 1\.\.16777215/],
    ['/v1/vnis/30300/hosts?limit=0', 400, /limit must be/],
    ['/v1/vnis/30300/hosts?cursor=garbage', 400, /cursor is not one this API issued/],
    [
      `/v1/vnis/30300/hosts?cursor=${Buffer.from(JSON.stringify({ s: 0, k: { pk: 'MAC#x', sk: 'VNI#1', gsi1pk: 'VNI#1#00', gsi1sk: 'x' } })).toString('base64url')}`,
      400,
      /cursor is not one this API issued/,
    ],
    ['/v1/vteps/not-an-ip/hosts', 400, /not an IPv4 or IPv6 address/],
    ['/v1/alerts?type=flap', 400, /type must be one of/],
    ['/v1/alerts?since=soon', 400, /since: .*ISO-8601/],
    ['/v1/alerts?active=maybe', 400, /active must be true or false/],
    ['/v1/hosts/02:55:de:ad:be:ef', 404, /not in the index/],
    ['/v1/nothing', 404, /no route/],
  ])('answers %s with %i and a problem+json body saying what was wrong', async (path, status, detail) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), instance: expect.any(String) });
    expect(res.body.detail).toMatch(detail);
  });

  it('answers a wrong method with 405', async () => {
    const res = await get('/v1/hosts/02:55:00:00:00:07', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.body.detail).toMatch(/use GET/);
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    expect(text).toContain('evpnlens_bmp_sessions');
    expect(text).toContain('evpnlens_event_source_lag');
    expect(text).toMatch(/evpnlens_index_macs\{fabric="dc1"\} 121/);
    expect(text).toContain('evpnlens_active_alerts{type="mac-flap"} 0');
    expect(text).toContain('evpnlens_index_vni_macs{fabric="dc1",vni="30300"} 120');
  });
});
