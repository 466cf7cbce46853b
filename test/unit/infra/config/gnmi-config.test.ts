import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetsOfShard } from '../../../../collector/gnmi/shard.js';
import { ConfigError } from '../../../../infra/config/errors.js';
import { gnmiCollectorConfig } from '../../../../infra/config/gnmi-schema.js';
import { loadConfig, overridesFromEnv, parseConfig } from '../../../../infra/config/load-config.js';

const writeYaml = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'evpn-lens.yaml');
  writeFileSync(file, text);
  return file;
};

const ISSUE_EXAMPLE = `
collector:
  gnmi:
    targets:
      - name: dc1-leaf11          # device name in events and metrics
        address: 10.1.0.11:57400
        fabric: dc1
        target: leaf11            # optional gNMI prefix target
        username: telemetry       # optional; passwordEnv: NAME reads the password from the environment
        passwordEnv: LEAF11_PASSWORD
        tls: { enabled: true, ca: ca.pem, cert: client.pem, key: client.key, serverName: leaf11, skipVerify: false }
        subscriptions: [vxlan]    # names below; default: the built-in set for VXLAN/EVPN
    subscriptions:
      vxlan: { mode: sample, sampleIntervalSeconds: 10, paths: ["openconfig:/network-instances/network-instance/connection-points"] }
`;

describe('collector.gnmi configuration', () => {
  it('reads the keys of the issue, and builds the collector options with the password from the environment', () => {
    const cfg = loadConfig(writeYaml(ISSUE_EXAMPLE));

    const o = gnmiCollectorConfig(cfg.collector.gnmi, { LEAF11_PASSWORD: 'from-env' });

    expect(o.targets).toEqual([
      {
        name: 'dc1-leaf11',
        address: '10.1.0.11:57400',
        fabric: 'dc1',
        target: 'leaf11',
        username: 'telemetry',
        password: 'from-env',
        tls: { enabled: true, ca: 'ca.pem', cert: 'client.pem', key: 'client.key', serverName: 'leaf11', skipVerify: false },
        subscriptions: [
          {
            name: 'vxlan',
            mode: 'sample',
            sampleIntervalSeconds: 10,
            suppressRedundant: false,
            updatesOnly: false,
            encoding: 'json_ietf',
            paths: ['openconfig:/network-instances/network-instance/connection-points'],
          },
        ],
        vtep: undefined,
        shard: undefined,
        keepaliveMs: undefined,
      },
    ]);
    expect(o.timers).toEqual({ reconnectMinMs: 1_000, reconnectMaxMs: 60_000, keepaliveMs: 360_000, connectTimeoutMs: 30_000, syncTimeoutMs: 120_000 });
    expect(() => gnmiCollectorConfig(cfg.collector.gnmi, {})).toThrow('collector.gnmi.targets[0].passwordEnv: environment variable LEAF11_PASSWORD is not set');
  });

  it('turns TLS on by default and subscribes to the built-in VXLAN/EVPN sets when a target names none', () => {
    const cfg = parseConfig({ collector: { gnmi: { targets: [{ name: 'leaf1', address: 'leaf1:6030', fabric: 'dc1' }] } } });

    const [t] = gnmiCollectorConfig(cfg.collector.gnmi, {}).targets;

    expect(t!.tls).toEqual({ enabled: true, skipVerify: false });
    expect(t!.subscriptions.map((s) => [s.name, s.mode])).toEqual([
      ['openconfig-vxlan', 'sample'],
      ['openconfig-mac-table', 'on-change'],
    ]);
  });

  it.each([
    [{ targets: [{ name: 'a', address: 'nope', fabric: 'dc1' }] }, 'collector.gnmi.targets[0].address: expected host:port'],
    [
      { targets: [{ name: 'a', address: 'h:1', fabric: 'dc1', subscriptions: ['nope'] }] },
      'collector.gnmi.targets[0].subscriptions[0]: unknown subscription set "nope"',
    ],
    [{ targets: [{ name: 'a', address: 'h:1', fabric: 'dc1', tls: { cert: 'c.pem' } }] }, 'collector.gnmi.targets[0].tls: mutual TLS needs both cert and key'],
    [{ targets: [{ name: 'a', address: 'h:1', fabric: 'dc1', password: 'x' }] }, 'unknown key "collector.gnmi.targets[0].password"'],
    [
      {
        targets: [
          { name: 'a', address: 'h:1', fabric: 'dc1' },
          { name: 'a', address: 'h:2', fabric: 'dc1' },
        ],
      },
      'collector.gnmi.targets[1].name: duplicate gNMI target name "a"',
    ],
    [{ subscriptions: { s: { mode: 'sample', paths: ['/a[k=v'] } } }, 'collector.gnmi.subscriptions.s.paths[0]: expected a gNMI path string'],
    [{ normalize: [{ path: '/a/b[k={bad}]/c', kind: 'counter', name: 'x' }] }, 'collector.gnmi.normalize[0]: rule: unknown capture {bad}'],
    [{ shard: { index: 2, count: 2 } }, 'collector.gnmi.shard: index must be below count'],
  ])('names the bad key: %j', (gnmi, message) => {
    expect(() => parseConfig({ collector: { gnmi } })).toThrow(ConfigError);
    expect(() => parseConfig({ collector: { gnmi } })).toThrow(message);
  });

  it('refuses a target in a fabric the configuration does not define', () => {
    expect(() => parseConfig({ fabrics: [{ name: 'dc1' }], collector: { gnmi: { targets: [{ name: 'a', address: 'h:1', fabric: 'dc9' }] } } })).toThrow(
      'collector.gnmi.targets[0].fabric: unknown fabric "dc9"',
    );
  });

  it('shards targets statically: every target dialed by exactly one task; EVPN_LENS_GNMI_SHARD picks the task', () => {
    const targets = Array.from({ length: 60 }, (_, i) => ({ name: `leaf${i}`, address: `10.0.0.${i}:57400`, fabric: 'dc1' }));
    const pinned = { name: 'pinned', address: 'p:1', fabric: 'dc1', shard: 2 };
    const cfgs = [0, 1, 2].map((i) =>
      parseConfig({ collector: { gnmi: { targets: [...targets, pinned] } } }, overridesFromEnv({ EVPN_LENS_GNMI_SHARD: `${i}/3` })),
    );

    const assigned = cfgs.map((c) => targetsOfShard(gnmiCollectorConfig(c.collector.gnmi, {}).targets, c.collector.gnmi.shard).map((t) => t.name));

    expect(cfgs[1]!.collector.gnmi.shard).toEqual({ index: 1, count: 3 });
    expect(assigned.flat().sort()).toEqual([...targets.map((t) => t.name), 'pinned'].sort());
    expect(assigned[2]).toContain('pinned');
    for (const a of assigned) expect(a.length).toBeGreaterThan(10); // spread, not all on one task
    expect(() => parseConfig({}, overridesFromEnv({ EVPN_LENS_GNMI_SHARD: 'half' }))).toThrow('collector.gnmi.shard');
  });
});
