import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../infra/config/errors.js';
import { parseConfig } from '../../../../infra/config/load-config.js';
import { isLoopback } from '../../../../infra/config/loopback.js';
import { resolveSinks, sinkSecretNames } from '../../../../infra/config/sinks.js';
import { resolveApiToken } from '../../../../infra/local/api-auth.js';

const fails = (raw: unknown): string => {
  try {
    parseConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('what the stack exposes', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['noc.example', false],
  ])('knows whether %s is loopback (%s)', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('wants a token or an explicit none when the API listens beyond loopback', () => {
    expect(fails({ api: { listen: '0.0.0.0:8080' } })).toBe(
      'configuration: api.auth: api.listen 0.0.0.0:8080 is not a loopback address: set api.auth.tokenEnv (a bearer token) or api.auth: none',
    );
    expect(parseConfig({ api: { listen: '0.0.0.0:8080', auth: 'none' } }).api.auth).toBe('none');
    expect(parseConfig({ api: { listen: '[::]:8080', auth: {} } }).api.auth).toEqual({ tokenEnv: 'EVPN_LENS_API_TOKEN' });
    expect(parseConfig({ api: { listen: '127.0.0.1:8080' } }).api.auth).toBeUndefined();
  });

  it('reads the token from the environment, or refuses to start naming the key', () => {
    const cfg = parseConfig({ api: { listen: '0.0.0.0:8080', auth: { tokenEnv: 'MY_TOKEN' } } });
    expect(() => resolveApiToken(cfg, {})).toThrow('api.auth.tokenEnv: environment variable MY_TOKEN is not set');
    expect(() => resolveApiToken(cfg, { MY_TOKEN: 'short' })).toThrow(/shorter than 16/);
    expect(resolveApiToken(cfg, { MY_TOKEN: '0123456789abcdef' })).toBe('0123456789abcdef');
    expect(resolveApiToken(parseConfig({}), {})).toBeUndefined();
  });

  it('wants an allowlist or an explicit any when the BMP station listens beyond loopback', () => {
    expect(parseConfig({}).collector.bmp.listen).toEqual({ host: '127.0.0.1', port: 11019 });
    expect(fails({ collector: { bmp: { listen: '0.0.0.0:11019' } } })).toBe(
      "configuration: collector.bmp.allow: collector.bmp.listen 0.0.0.0:11019 is not a loopback address: list the routers' source CIDRs or set allow: any",
    );
    expect(parseConfig({ collector: { bmp: { listen: '0.0.0.0:11019', allow: 'any' } } }).collector.bmp.allow).toBe('any');
    expect(parseConfig({ collector: { bmp: { listen: '0.0.0.0:11019', allow: ['10.0.0.0/8'] } } }).collector.bmp.allow).toEqual(['10.0.0.0/8']);
    expect(fails({ collector: { bmp: { allow: 'all' } } })).toMatch(/^configuration: collector\.bmp\.allow/);
    expect(fails({ collector: { bmp: { maxSessions: 0 } } })).toMatch(/^configuration: collector\.bmp\.maxSessions/);
  });

  it('validates alert sinks and names the bad key', () => {
    expect(fails({ alerts: { sinks: [{ type: 'pagerduty', url: 'http://x/' }] } })).toMatch(/^configuration: alerts\.sinks\[0\]\.type/);
    expect(fails({ alerts: { sinks: [{ type: 'webhook' }] } })).toBe('configuration: alerts.sinks[0].url: give exactly one of url and urlEnv');
    expect(fails({ alerts: { sinks: [{ type: 'webhook', url: 'ftp://x/' }] } })).toMatch(/^configuration: alerts\.sinks\[0\]\.url: expected an http/);
    expect(fails({ alerts: { sinks: [{ type: 'slack', url: 'http://x/', secretEnv: 'S' }] } })).toMatch(/alerts\.sinks\[0\]\.secretEnv: slack signs nothing/);
    expect(fails({ alerts: { sinks: [{ type: 'webhook', url: 'http://x/', types: ['flap'] }] } })).toMatch(/alerts\.sinks\[0\]\.types\[0\]/);
    expect(
      fails({
        alerts: {
          sinks: [
            { type: 'webhook', url: 'http://x/' },
            { type: 'webhook', url: 'http://y/', name: 'webhook-0' },
          ],
        },
      }),
    ).toBe('configuration: alerts.sinks[1].name: duplicate sink name "webhook-0"');
    const cfg = parseConfig({
      alerts: {
        sinks: [
          { type: 'alertmanager', url: 'http://am:9093' },
          { type: 'slack', urlEnv: 'SLACK_URL' },
        ],
      },
    });
    expect(() => resolveSinks(cfg, {})).toThrow('alerts.sinks[1].urlEnv: environment variable SLACK_URL is not set');
    expect(() => resolveSinks(cfg, { SLACK_URL: 'not a url' })).toThrow('alerts.sinks[1].urlEnv: environment variable SLACK_URL does not hold an http(s) URL');
    expect(resolveSinks(cfg, { SLACK_URL: 'https://hooks.slack.example/T/B/x' }).map((s) => [s.name, s.url])).toEqual([
      ['alertmanager-0', 'http://am:9093'],
      ['slack-1', 'https://hooks.slack.example/T/B/x'],
    ]);
    // One function per sink (EVPN_LENS_SINK): that sink only, so its role needs no other sink's secrets.
    expect(resolveSinks(cfg, {}, 'alertmanager-0').map((s) => s.name)).toEqual(['alertmanager-0']);
    expect(sinkSecretNames(cfg, 'alertmanager-0')).toEqual([]);
    expect(sinkSecretNames(cfg, 'slack-1')).toEqual(['SLACK_URL']);
    expect(() => resolveSinks(cfg, {}, 'pager')).toThrow('EVPN_LENS_SINK: expected one of alertmanager-0, slack-1, got "pager"');
  });
});
