/** Normalization: gNMI notifications to telemetry.vtep.v1 samples, table-driven, no network. */
import Long from 'long';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES } from '../../../../collector/gnmi/normalize/builtin-rules.js';
import { type NormalizedSample, TargetNormalizer } from '../../../../collector/gnmi/normalize/normalizer.js';
import type { NormalizationRule } from '../../../../collector/gnmi/normalize/rule.js';
import { RuleError, RuleTable } from '../../../../collector/gnmi/normalize/rule-table.js';
import { halvesOf, SampleEncoder } from '../../../../collector/gnmi/publish/sample-encoder.js';
import { JSON_OPTIONS, SampleKind, VtepSample } from '../../../../schemas/events.js';
import type { INotification } from '../../../../schemas/gnmi.js';
import { toBigInt } from '../../../../schemas/long.js';
import { jsonIetf, notification, OC_VXLAN, str, uint } from '../../../support/gnmi/notifications.js';

const MAX = 18446744073709551615n;

function normalizer(o: { rules?: NormalizationRule[]; publishUnmapped?: boolean; vtep?: string } = {}) {
  const n = new TargetNormalizer(new RuleTable([...(o.rules ?? []), ...BUILTIN_RULES]), { publishUnmapped: Boolean(o.publishUnmapped), vtep: o.vtep ?? '' });
  n.connected();
  const run = (...notifications: INotification[]) => {
    const out: NormalizedSample[] = [];
    for (const x of notifications) n.notification(x, out);
    return out.map(view);
  };
  const sync = () => {
    const out: NormalizedSample[] = [];
    n.sync(out, Long.UZERO);
    return out.map(view);
  };
  return { n, run, sync };
}

/** A sample as a consumer sees it. */
function view(s: NormalizedSample) {
  const kind = SampleKind[s.leaf.kind].replace('SAMPLE_KIND_', '').toLowerCase();
  const scope = Object.fromEntries(Object.entries(s.leaf.scope).filter(([, v]) => v !== '' && v !== 0));
  return {
    kind,
    name: s.leaf.name,
    ...scope,
    ...(s.value ? { value: toBigInt(s.value) } : {}),
    ...(s.state !== undefined ? { state: s.state } : {}),
    ...(s.rawJson !== undefined ? { rawJson: s.rawJson } : {}),
  };
}

const PEER = `${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state`;
const MACS = '/network-instances/network-instance[name=mac-vrf-1]/fdb/mac-table/entries';
const mac = (m: string) => `entry[mac-address=${m}][vlan=10]/state/entry-type`;

describe('gNMI normalization: OpenConfig', () => {
  it('maps VTEP peer counters and state, exact to 2^64-1, from PROTO, JSON_IETF strings and big JSON numbers', () => {
    const { run } = normalizer({ vtep: '10.0.0.1' });

    const out = run(
      notification(PEER, [
        ['counters/total-encap-pkts', uint(MAX)],
        ['counters/total-encap-bytes', jsonIetf('18446744073709551615')],
        ['counters/bum-decap-pkts', { jsonVal: Buffer.from('12345678901234567891') }],
        ['peer-state', str('UP')],
      ]),
    );

    const scope = { vtep: '10.0.0.1', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1' };
    expect(out).toEqual([
      { kind: 'counter', name: 'total-encap-pkts', ...scope, value: MAX },
      { kind: 'counter', name: 'total-encap-bytes', ...scope, value: MAX },
      { kind: 'counter', name: 'bum-decap-pkts', ...scope, value: 12345678901234567891n },
      { kind: 'state', name: 'peer-state', ...scope, state: 'UP' },
    ]);
  });

  it('flattens a JSON_IETF container with module-qualified names and identityrefs, and a keyed list', () => {
    const { run } = normalizer();

    const out = run(
      notification(OC_VXLAN, [
        [
          'endpoint-vnis',
          jsonIetf({
            'openconfig-evpn:endpoint-vni': [
              {
                vni: 10100,
                state: {
                  vni: 10100,
                  'vni-state': 'UP',
                  'vni-type': 'L2',
                  'learning-mode': 'openconfig-evpn-types:CONTROL_PLANE',
                },
                ipv4: { state: { counters: { 'total-decap-bytes': '42' } } },
              },
            ],
          }),
        ],
        ['state/enabled', { boolVal: true }],
      ]),
    );

    const vni = { vni: 10100, networkInstance: 'default', endpoint: 'nve1' };
    expect(out).toEqual([
      { kind: 'state', name: 'vni-state', ...vni, state: 'UP' },
      { kind: 'state', name: 'vni-type', ...vni, state: 'L2' },
      { kind: 'state', name: 'learning-mode', ...vni, state: 'CONTROL_PLANE' },
      { kind: 'state', name: 'vtep-admin-state', networkInstance: 'default', endpoint: 'nve1', state: 'UP' },
      { kind: 'counter', name: 'total-decap-bytes', ...vni, value: 42n },
    ]);
  });

  it('turns deletes into DELETED samples: a leaf, a VTEP peer, everything under an endpoint', () => {
    const { run } = normalizer();

    const out = run(
      notification(OC_VXLAN, [], {
        deletes: ['endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state/counters/total-encap-pkts', 'endpoint-peers/endpoint-peer[peer-address=10.0.0.3]'],
      }),
      notification('/network-instances/network-instance[name=default]/connection-points/connection-point[connection-point-id=vxlan]/endpoints', [], {
        deletes: ['endpoint[endpoint-id=nve1]'],
      }),
    );

    expect(out).toEqual([
      { kind: 'deleted', name: 'total-encap-pkts', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1' },
      { kind: 'deleted', name: 'peer', peer: '10.0.0.3', networkInstance: 'default', endpoint: 'nve1' },
      { kind: 'deleted', name: 'peer', networkInstance: 'default', endpoint: 'nve1' },
      { kind: 'deleted', name: 'vni', networkInstance: 'default', endpoint: 'nve1' },
    ]);
  });

  it('lets an atomic notification replace its prefix: leaves it no longer carries are deleted', () => {
    const { run } = normalizer();
    const first = run(
      notification(
        PEER,
        [
          ['counters/total-encap-pkts', uint(1)],
          ['counters/total-decap-pkts', uint(2)],
        ],
        { atomic: true },
      ),
    );

    const second = run(notification(PEER, [['counters/total-encap-pkts', uint(3)]], { atomic: true }));

    expect(first.map((s) => s.name)).toEqual(['total-encap-pkts', 'total-decap-pkts']);
    expect(second).toEqual([
      { kind: 'counter', name: 'total-encap-pkts', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1', value: 3n },
      { kind: 'deleted', name: 'total-decap-pkts', peer: '10.0.0.2', networkInstance: 'default', endpoint: 'nve1' },
    ]);
  });

  it('counts MAC table entries: published at sync, then on change; deletes and atomic replacement count', () => {
    const { n, run, sync } = normalizer();

    const before = run(
      notification(MACS, [
        [mac('aa:00:00:00:00:01'), str('DYNAMIC')],
        [mac('aa:00:00:00:00:02'), str('DYNAMIC')],
        ['entry[mac-address=aa:00:00:00:00:02][vlan=10]/state/age', uint(5)],
      ]),
    );
    const atSync = sync();
    const added = run(notification(MACS, [[mac('aa:00:00:00:00:03'), str('STATIC')]]));
    const same = run(notification(MACS, [[mac('aa:00:00:00:00:03'), str('DYNAMIC')]]));
    const leafGone = run(notification(MACS, [], { deletes: ['entry[mac-address=aa:00:00:00:00:03][vlan=10]/state/age'] }));
    const deleted = run(notification(MACS, [], { deletes: ['entry[mac-address=aa:00:00:00:00:01][vlan=10]'] }));
    // After a reconnect the table is sent again; the count moves only at sync_response, to what was re-sent.
    n.connected();
    const resent = run(notification(MACS, [[mac('aa:00:00:00:00:02'), str('DYNAMIC')]]));
    const resynced = sync();
    const wildcard = run(notification(MACS, [], { deletes: ['entry[mac-address=*][vlan=10]'] }));

    const count = (v: bigint) => [{ kind: 'gauge', name: 'mac-count', networkInstance: 'mac-vrf-1', value: v }];
    expect(before).toEqual([]);
    expect(atSync).toEqual(count(2n));
    expect(added).toEqual(count(3n));
    expect(same).toEqual([]);
    expect(leafGone).toEqual([]);
    expect(deleted).toEqual(count(2n));
    expect(resent).toEqual([]);
    expect(resynced).toEqual(count(1n));
    expect(wildcard).toEqual(count(0n));
  });

  it('maps interface counters and oper-status', () => {
    const { run } = normalizer();
    expect(
      run(
        notification('/interfaces/interface[name=Ethernet1/1]/state', [
          ['counters/in-octets', uint(7)],
          ['oper-status', str('UP')],
          ['counters/carrier-transitions', uint(1)],
        ]),
      ),
    ).toEqual([
      { kind: 'counter', name: 'in-octets', interface: 'Ethernet1/1', value: 7n },
      { kind: 'state', name: 'oper-status', interface: 'Ethernet1/1', state: 'UP' },
    ]);
  });
});

describe('gNMI normalization: vendor paths and user rules', () => {
  it('maps Cisco NX-OS native VTEP peers and VNIs, also when a list entry comes as one JSON object', () => {
    const { run } = normalizer();
    expect(
      run(
        notification('/System/eps-items/epId-items/Ep-list[epId=1]/peers-items/dy_peer-items/DyPeer-list[ip=10.0.0.7]', [['state', str('Up')]]),
        notification('/System/eps-items/epId-items/Ep-list[epId=1]/nws-items/opervni-items', [
          ['OperNw-list[vni=10100]', { jsonVal: Buffer.from(JSON.stringify({ vni: 10100, state: 'Down', type: 'L2', mcastGroup: '0.0.0.0' })) }],
        ]),
      ),
    ).toEqual([
      { kind: 'state', name: 'peer-state', peer: '10.0.0.7', endpoint: '1', state: 'UP' },
      { kind: 'state', name: 'vni-state', vni: 10100, endpoint: '1', state: 'DOWN' },
      { kind: 'state', name: 'vni-type', vni: 10100, endpoint: '1', state: 'L2' },
    ]);
  });

  it('tries user rules first, and publishes unmapped leaves raw only when asked', () => {
    const rules: NormalizationRule[] = [
      { path: '/vendor/vxlan/peer[ip={peer}]/counters/*', kind: 'counter', leaves: { 'tx-pkts': 'total-encap-pkts' } },
      { path: '/vendor/vxlan/peer[ip={peer}]/status', kind: 'state', name: 'peer-state', states: { established: 'UP' } },
    ];
    const n = notification('/vendor/vxlan/peer[ip=10.0.0.8]', [
      ['counters/tx-pkts', uint(9)],
      ['status', str('established')],
      ['counters/unknown', uint(1)],
    ]);

    expect(normalizer({ rules }).run(n)).toEqual([
      { kind: 'counter', name: 'total-encap-pkts', peer: '10.0.0.8', value: 9n },
      { kind: 'state', name: 'peer-state', peer: '10.0.0.8', state: 'UP' },
    ]);
    expect(
      normalizer({ publishUnmapped: true })
        .run(n)
        .map((s) => [s.kind, s.name, s.rawJson]),
    ).toEqual([
      ['raw', 'tx-pkts', '"9"'],
      ['raw', 'status', '"established"'],
      ['raw', 'unknown', '"1"'],
    ]);
  });

  it('refuses rules that cannot work, naming them', () => {
    expect(() => new RuleTable([{ path: '/a/b[k={nope}]/c', kind: 'counter', name: 'x' }])).toThrow(RuleError);
    expect(() => new RuleTable([{ path: '/a/b', kind: 'state' }])).toThrow(/needs a name/);
    expect(() => new RuleTable([{ path: '/a[k=v', kind: 'counter', name: 'x' }])).toThrow(/rule 0/);
  });

  it('counts and skips updates that make no sense, keeping the rest of the notification', () => {
    const { n, run } = normalizer();

    const out = run(
      notification(PEER, [
        ['counters/total-encap-pkts', { intVal: Long.fromNumber(-1) }],
        ['counters/total-decap-pkts', jsonIetf('18446744073709551616')],
        ['counters/bum-decap-pkts', { jsonIetfVal: Buffer.from('{not json') }],
        ['counters/drop-decap-pkts', {}],
        ['counters/except-decap-pkts', uint(4)],
      ]),
    );

    expect(out.map((s) => [s.name, s.value])).toEqual([['except-decap-pkts', 4n]]);
    expect(n.malformed).toBe(4);
  });
});

describe('VtepSample encoder', () => {
  it('writes what the generated codec writes, field for field', () => {
    const { n } = normalizer({ publishUnmapped: true, vtep: '10.0.0.1' });
    const out: NormalizedSample[] = [];
    n.notification(
      notification(
        PEER,
        [
          ['counters/total-encap-pkts', uint(MAX)],
          ['peer-state', str('ÜP-ünïcode')],
          ['x/y', jsonIetf({ a: [1, 2] })],
        ],
        { timestampNs: 1_732_480_000_123_456_789n },
      ),
      out,
    );
    n.notification(notification(OC_VXLAN, [], { deletes: ['endpoint-vnis/endpoint-vni[vni=16777215]'] }), out);
    const enc = new SampleEncoder({ fabric: 'dc1', device: 'dc1-leaf11', collectorId: 'c-1' });
    const receive = 1_732_480_001_000_000_007n;

    for (const [i, s] of out.entries()) {
      const mine = VtepSample.decode(enc.encode(s, halvesOf(receive), halvesOf(MAX - BigInt(i)), 10_000 * i));
      const reference = VtepSample.create(
        VtepSample.fromObject({
          fabric: 'dc1',
          device: 'dc1-leaf11',
          collectorId: 'c-1',
          kind: s.leaf.kind,
          name: s.leaf.name,
          path: s.leaf.path,
          vtep: s.leaf.scope.vtep,
          peer: s.leaf.scope.peer,
          vni: s.leaf.scope.vni,
          networkInstance: s.leaf.scope.networkInstance,
          interface: s.leaf.scope.interface,
          endpoint: s.leaf.scope.endpoint,
          timestampNs: s.timestampNs.toString(),
          receiveTimeNs: receive.toString(),
          collectorSeq: (MAX - BigInt(i)).toString(),
          refreshIntervalMs: 10_000 * i,
          ...(s.value ? { value: s.value.toString() } : {}),
          ...(s.state !== undefined ? { state: s.state } : {}),
          ...(s.rawJson !== undefined ? { rawJson: s.rawJson } : {}),
        }),
      );
      expect(VtepSample.toObject(mine, JSON_OPTIONS)).toEqual(VtepSample.toObject(VtepSample.decode(VtepSample.encode(reference).finish()), JSON_OPTIONS));
    }
    expect(out.map((s) => s.leaf.name)).toEqual(['total-encap-pkts', 'peer-state', 'a', 'vni']);
  });
});
