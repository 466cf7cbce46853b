import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../infra/config/errors.js';
import { loadConfig, overridesFromEnv, parseConfig } from '../../../../infra/config/load-config.js';

const writeYaml = (text: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'evpn-lens.yaml');
  writeFileSync(file, text);
  return file;
};

describe('load-config', () => {
  it('fills every default from an empty file', () => {
    const cfg = parseConfig({});
    expect(cfg.collector.bmp.listen).toEqual({ host: '127.0.0.1', port: 11019 });
    expect(cfg.api.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(cfg.macIndex.flap).toEqual({ moves: 5, windowSeconds: 180, quietSeconds: 180 });
    expect(cfg.kafka.brokers).toBeUndefined();
    expect(cfg.kafka).toMatchObject({ maxEventsPerRecord: 2_000, maxRecordBytes: 262_144, compression: 'none' });
  });

  it('parses fabrics with their match rules', () => {
    const file = writeYaml(`
fabrics:
  - name: dc1
    match: { routerIds: [10.0.0.1], sysNames: ["dc1-*"], addresses: [192.0.2.0/24] }
  - name: dc2
    match: { addresses: ["2001:db8::/32"] }
collector: { bmp: { listen: "127.0.0.1:11019" } }
api: { listen: "[::1]:9000" }
`);
    const cfg = loadConfig(file);
    expect(cfg.fabrics.map((f) => f.name)).toEqual(['dc1', 'dc2']);
    expect(cfg.fabrics[0]!.match).toEqual({ routerIds: ['10.0.0.1'], sysNames: ['dc1-*'], addresses: ['192.0.2.0/24'] });
    expect(cfg.api.listen).toEqual({ host: '::1', port: 9000 });
  });

  it.each([
    ['an unknown key', 'fabrics: []\nbogus: 1\n', /unknown key "bogus"/],
    ['an unknown nested key', 'collector: { bmp: { lisen: ":1" } }\n', /unknown key "collector\.bmp\.lisen"/],
    ['a bad listen address', 'api: { listen: "127.0.0.1" }\n', /api\.listen: expected host:port/],
    ['a port out of range', 'collector: { bmp: { listen: "0.0.0.0:70000" } }\n', /collector\.bmp\.listen/],
    ['a missing fabric name', 'fabrics:\n  - match: { addresses: [10.0.0.0/8] }\n', /fabrics\[0\]\.name: required/],
    ['a bad CIDR', 'fabrics:\n  - name: a\n    match: { addresses: [10.0.0.0/33] }\n', /fabrics\[0\]\.match\.addresses\[0\]/],
    ['a bad router id', 'fabrics:\n  - name: a\n    match: { routerIds: [abc] }\n', /fabrics\[0\]\.match\.routerIds\[0\]/],
    ['a duplicate fabric', 'fabrics:\n  - name: a\n  - name: a\n', /fabrics\[1\]\.name: duplicate fabric name "a"/],
    ['broken YAML', 'fabrics: [\n', /invalid YAML/],
    ['no events per Kafka record', 'kafka: { maxEventsPerRecord: 0 }\n', /kafka\.maxEventsPerRecord/],
    ['an unknown compression', 'kafka: { compression: zstd }\n', /kafka\.compression/],
  ])('rejects %s with one error line naming the key', (_what, yaml, pattern) => {
    const file = writeYaml(yaml);
    let error: unknown;
    try {
      loadConfig(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
    expect((error as ConfigError).exitCode).toBe(2);
  });

  it('lets environment variables override the file', () => {
    const file = writeYaml('api: { listen: "127.0.0.1:8080" }\n');
    const cfg = loadConfig(
      file,
      overridesFromEnv({ KAFKA_BROKERS: 'a:9092, b:9092', DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567', EVPN_LENS_API_LISTEN: '127.0.0.1:9999' }),
    );
    expect(cfg.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(cfg.dynamodb.endpoint).toBe('http://127.0.0.1:4567');
    expect(cfg.api.listen.port).toBe(9999);
  });

  it('names the file when it cannot be read', () => {
    expect(() => loadConfig('/nonexistent/evpn-lens.yaml')).toThrow(/\/nonexistent\/evpn-lens\.yaml: cannot read configuration \(ENOENT\)/);
  });
});
