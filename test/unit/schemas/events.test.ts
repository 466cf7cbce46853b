import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_OPTIONS, RibView, RouteAction, RouteEvent, SessionEvent, SessionEventKind } from '../../../schemas/events.js';
import { toBigInt, u64 } from '../../../schemas/long.js';

const root = resolve(import.meta.dirname, '../../..');

describe('schemas/events', () => {
  it('round-trips a route event with 64-bit timestamps losslessly', () => {
    const ts = 1_732_480_000_123_456_789n; // beyond 2^53: a number would lose it
    const bytes = RouteEvent.encode({
      fabric: 'dc1',
      router: { address: '192.0.2.1', sysName: 'leaf1' },
      peer: { address: '192.0.2.2', asn: 4_200_000_000, ribView: RibView.RIB_VIEW_LOC_RIB },
      action: RouteAction.ROUTE_ACTION_ADVERTISE,
      routeType: 2,
      mac: 'aa:bb:cc:dd:ee:ff',
      vni: 0xffffff,
      labels: [0xffffff],
      timestampUs: u64(ts),
      collectorSeq: u64(2n ** 64n - 1n),
    }).finish();

    const decoded = RouteEvent.decode(bytes);

    expect(toBigInt(decoded.timestampUs)).toBe(ts);
    expect(toBigInt(decoded.collectorSeq)).toBe(2n ** 64n - 1n);
    expect(decoded.peer?.asn).toBe(4_200_000_000);
    expect(decoded.vni).toBe(0xffffff);
    const json = RouteEvent.toObject(decoded, JSON_OPTIONS);
    expect(json).toMatchObject({ mac: 'aa:bb:cc:dd:ee:ff', action: 'ROUTE_ACTION_ADVERTISE', timestampUs: ts.toString() });
  });

  it('encodes session events with their enum names in JSON', () => {
    const decoded = SessionEvent.decode(SessionEvent.encode({ kind: SessionEventKind.SESSION_EVENT_KIND_PEER_DOWN, peerDownReason: 3 }).finish());
    expect(SessionEvent.toObject(decoded, JSON_OPTIONS)).toEqual({ kind: 'SESSION_EVENT_KIND_PEER_DOWN', peerDownReason: 3 });
  });

  it('keeps the committed generated codecs in step with the .proto sources', () => {
    const out = execFileSync(process.execPath, [resolve(root, 'scripts/proto-gen.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
