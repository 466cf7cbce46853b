/**
 * gnmic's Kafka output (formats `event` and `proto`) read back and normalized by the collector's own rules. The
 * fixtures (test/fixtures/gnmic, README there) follow gnmic's source exactly: pkg/formatters/event.go,
 * pkg/formatters/formats.go, pkg/outputs/output.go, pkg/outputs/kafka_output/kafka_output.go.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Long from 'long';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sequence } from '../../../../collector/gnmi/gnmi-collector.js';
import { pathFromValueKey } from '../../../../collector/gnmi/gnmic/gnmic-event.js';
import { GnmicNormalizer } from '../../../../collector/gnmi/gnmic/gnmic-input.js';
import { BUILTIN_RULES } from '../../../../collector/gnmi/normalize/builtin-rules.js';
import { RuleTable } from '../../../../collector/gnmi/normalize/rule-table.js';
import { JSON_OPTIONS, VtepSample } from '../../../../schemas/events.js';
import { SubscribeResponse } from '../../../../schemas/gnmi.js';
import { OC_VXLAN, str, uint } from '../../../support/gnmi/notifications.js';

const FIX = join(import.meta.dirname, '../../../fixtures/gnmic');
const fixture = (name: string) => readFileSync(join(FIX, name));
const table = new RuleTable(BUILTIN_RULES);

function normalizer(o: Partial<ConstructorParameters<typeof GnmicNormalizer>[0]> = {}) {
  return new GnmicNormalizer({
    format: 'event',
    fabric: 'f1',
    devices: {},
    listedOnly: false,
    refreshMs: {},
    publishUnmapped: false,
    table,
    collectorId: 'c-gnmic',
    nextSeq: sequence(),
    logger: pino({ level: 'silent' }),
    ...o,
  });
}
const decoded = (out: { device: string; bytes: Buffer }[]): Record<string, any>[] =>
  out.map((x) => ({ key: x.device, ...VtepSample.toObject(VtepSample.decode(x.bytes), JSON_OPTIONS) }));
const brief = (s: Record<string, any>) => [s.device, s.name, s.kind.replace('SAMPLE_KIND_', ''), s.peer ?? '', s.vni ?? 0, s.value ?? s.state ?? ''];

describe('gnmic event format', () => {
  it('maps an SR Linux record (event array) like the gNMI client: keys from tags, the VNI from ingress/vni, uint64 exact', () => {
    const n = normalizer({ devices: { 'leaf21:57400': { name: 'leaf21', vtep: '10.0.0.21' } }, refreshMs: { vxlan: 10_000 } });
    const out = decoded(n.record(fixture('srl-event.json')));

    expect(out.map(brief)).toEqual([
      ['leaf21', 'mac-count', 'GAUGE', '', 10100, '60'],
      ['leaf21', 'mac-count', 'GAUGE', '10.0.0.12', 10100, '40'],
      ['leaf21', 'total-decap-bytes', 'COUNTER', '10.0.0.12', 0, '18446744073709551615'],
      ['leaf21', 'total-encap-pkts', 'COUNTER', '10.0.0.12', 0, '18446744073709551614'],
    ]);
    expect(out.every((s) => s.key === 'leaf21' && s.fabric === 'f1' && s.vtep === '10.0.0.21' && s.refreshIntervalMs === 10_000)).toBe(true);
    expect(out.every((s) => s.timestampNs === '1733560000123456789')).toBe(true);
    expect(out[2]!.path).toBe('/srl_nokia-tunnel:tunnel/srl_nokia-vxlan-tunnel-vtep:vxlan-tunnel/vtep[address=10.0.0.12]/statistics/in-octets');
    expect(n.stats).toEqual({ records: 1, samples: 4, skipped: 0 });
  });

  it('maps OpenConfig split-events records (one EventMsg each; a flattened counters container; origin and target) and a delete', () => {
    const n = normalizer({ devices: { '10.1.0.22:6030': { name: 'leaf22' } } });
    const records = (JSON.parse(fixture('oc-split-records.json').toString()) as unknown[]).map((r) => Buffer.from(JSON.stringify(r)));
    const out = decoded(records.flatMap((r) => n.record(r)));
    const del = decoded(n.record(fixture('oc-delete-event.json')));

    expect(out.map(brief)).toEqual([
      ['leaf22', 'bum-encap-pkts', 'COUNTER', '10.0.0.11', 0, '7'],
      ['leaf22', 'unicast-encap-pkts', 'COUNTER', '10.0.0.11', 0, '5'],
      ['leaf22', 'total-encap-pkts', 'COUNTER', '10.0.0.11', 0, '12'],
      ['leaf22', 'peer-state', 'STATE', '10.0.0.11', 0, 'UP'],
    ]);
    expect(out[0]).toMatchObject({ endpoint: 'nve1', networkInstance: 'default' });
    expect(del.map(brief)).toEqual([['leaf22', 'peer', 'DELETED', '10.0.0.11', 0, '']]);
  });

  it("puts keys on the first element of the tag's name only, and ignores gnmic's own tags", () => {
    const p = pathFromValueKey('/interfaces/interface/subinterfaces/subinterface/ipv4/addresses/address/state/ip', {
      interface_name: 'ethernet-1/1',
      subinterface_index: '0',
      address_ip: '10.0.0.21',
      source: 'leaf21:57400',
      'subscription-name': 'x',
      target: 'leaf21',
    });
    expect(p.elem).toEqual([
      { name: 'interfaces' },
      { name: 'interface', key: { name: 'ethernet-1/1' } },
      { name: 'subinterfaces' },
      { name: 'subinterface', key: { index: '0' } },
      { name: 'ipv4' },
      { name: 'addresses' },
      { name: 'address', key: { ip: '10.0.0.21' } },
      { name: 'state' },
      { name: 'ip' },
    ]);
  });

  it('skips records that do not decode, and devices not listed when listedOnly', () => {
    const n = normalizer({ listedOnly: true, devices: { 'leaf21:57400': {} } });
    expect(n.record(Buffer.from('{"name": "x", "values": '))).toEqual([]);
    expect(n.record(Buffer.from(JSON.stringify([{ name: 'x', tags: { source: 'other' }, values: { '/a/b': 1 } }])))).toEqual([]);
    expect(n.stats.skipped).toBe(2);
    expect(decoded(n.record(fixture('srl-event.json'))).map((s) => s.device)[0]).toBe('leaf21:57400');
  });
});

describe('gnmic proto format', () => {
  it('maps a SubscribeResponse (proto.Marshal) whose prefix names the target (gnmic add-target)', () => {
    const n = normalizer({ format: 'proto' });
    const rsp = SubscribeResponse.encode({
      update: {
        timestamp: Long.fromString('1733560003000000000'),
        prefix: { origin: 'openconfig', target: 'leaf23', elem: OC_VXLAN.split('/').filter(Boolean).map(parseElem) },
        update: [
          {
            path: {
              elem: [{ name: 'endpoint-peers' }, { name: 'endpoint-peer', key: { 'peer-address': '10.0.0.11' } }, { name: 'state' }, { name: 'peer-state' }],
            },
            val: str('DOWN'),
          },
          {
            path: {
              elem: [
                { name: 'endpoint-peers' },
                { name: 'endpoint-peer', key: { 'peer-address': '10.0.0.11' } },
                { name: 'state' },
                { name: 'counters' },
                { name: 'total-decap-pkts' },
              ],
            },
            val: uint((1n << 64n) - 1n),
          },
        ],
      },
    }).finish();
    const sync = SubscribeResponse.encode({ syncResponse: true }).finish();

    expect(decoded(n.record(rsp)).map(brief)).toEqual([
      ['leaf23', 'peer-state', 'STATE', '10.0.0.11', 0, 'DOWN'],
      ['leaf23', 'total-decap-pkts', 'COUNTER', '10.0.0.11', 0, '18446744073709551615'],
    ]);
    expect(n.record(sync)).toEqual([]);
  });
});

function parseElem(text: string) {
  const m = /^([^[]+)(?:\[([^=]+)=([^\]]+)\])?$/.exec(text)!;
  return m[2] ? { name: m[1]!, key: { [m[2]]: m[3]! } } : { name: m[1]! };
}
