/** collector.gnmic: gnmic's Kafka output as a telemetry input, validated once, errors naming the key. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../infra/config/errors.js';
import { gnmicInputConfig } from '../../../../infra/config/gnmic-schema.js';
import { parseConfig } from '../../../../infra/config/load-config.js';

describe('collector.gnmic', () => {
  it("is off by default, on gnmic's default topic and format", () => {
    expect(parseConfig({}).collector.gnmic).toMatchObject({ enabled: false, topic: 'telemetry', format: 'event', listedOnly: false });
  });

  it('builds the input: devices, refresh per subscription in ms, a group named after the client', () => {
    const cfg = parseConfig({
      fabrics: [{ name: 'dc1' }],
      collector: {
        gnmic: {
          enabled: true,
          topic: 'gnmic-out',
          format: 'proto',
          fabric: 'dc1',
          devices: { '10.1.0.22:6030': { name: 'leaf22' } },
          refreshSeconds: { vxlan: 10, '*': 30 },
        },
      },
    });
    expect(gnmicInputConfig(cfg.collector.gnmic, 'evpn-lens', 'dc1')).toEqual({
      topic: 'gnmic-out',
      format: 'proto',
      groupId: 'evpn-lens-gnmic',
      fabric: 'dc1',
      devices: { '10.1.0.22:6030': { name: 'leaf22' } },
      listedOnly: false,
      refreshMs: { vxlan: 10_000, '*': 30_000 },
      publishUnmapped: false,
    });
  });

  it.each([
    [{ enabled: true }, 'collector.gnmic.fabric'],
    [{ enabled: true, fabric: 'dc9' }, 'collector.gnmic.fabric: unknown fabric "dc9"'],
    [{ enabled: true, listedOnly: true, devices: { 'a.b:1': { fabric: 'dc9' } } }, 'unknown fabric "dc9"'],
    [{ format: 'json' }, 'collector.gnmic.format'],
    [{ refreshSeconds: { x: -1 } }, 'collector.gnmic.refreshSeconds.x'],
  ])('rejects %j naming %s', (gnmic, message) => {
    expect(() => parseConfig({ fabrics: [{ name: 'dc1' }], collector: { gnmic } })).toThrow(ConfigError);
    expect(() => parseConfig({ fabrics: [{ name: 'dc1' }], collector: { gnmic } })).toThrow(message);
  });
});
