import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { type ConfigClients, loadRuntimeConfig, parseConfigLocation, secretRefsOf } from '../../../../infra/aws/runtime-config.js';
import { ConfigError } from '../../../../infra/config/errors.js';

// SSM and S3 are not reachable here: these clients answer the two read calls the loader makes and record them.
function clients(params: Record<string, string>, objects: Record<string, string> = {}) {
  const calls: unknown[] = [];
  const c: ConfigClients = {
    ssm: {
      send: (async (cmd: unknown) => {
        if (!(cmd instanceof GetParameterCommand)) throw new Error('unexpected SSM call');
        calls.push(cmd.input);
        const value = params[cmd.input.Name!];
        if (value === undefined) throw Object.assign(new Error(`ParameterNotFound: ${cmd.input.Name}`), { name: 'ParameterNotFound' });
        return { Parameter: { Value: value } };
      }) as never,
    },
    s3: {
      send: (async (cmd: unknown) => {
        if (!(cmd instanceof GetObjectCommand)) throw new Error('unexpected S3 call');
        calls.push(cmd.input);
        const text = objects[`${cmd.input.Bucket}/${cmd.input.Key}`];
        if (text === undefined) throw new Error('NoSuchKey');
        return { Body: { transformToString: async () => text } };
      }) as never,
    },
  };
  return { c, calls };
}

const YAML = `fabrics:
  - name: dc1
    match: { addresses: [10.1.0.0/16] }
macIndex:
  flap: { moves: 4 }
dynamodb:
  tablePrefix: prod-
`;

describe('runtime configuration (AWS)', () => {
  it('reads the YAML from an SSM parameter, with decryption, and validates it with the local schema', async () => {
    const { c, calls } = clients({ '/evpn-lens/config': YAML });

    const cfg = await loadRuntimeConfig('ssm:/evpn-lens/config', c);

    expect(calls).toEqual([{ Name: '/evpn-lens/config', WithDecryption: true }]);
    expect(cfg.fabrics.map((f) => f.name)).toEqual(['dc1']);
    expect(cfg.macIndex.flap).toEqual({ moves: 4, windowSeconds: 180, quietSeconds: 180 });
    expect(cfg.dynamodb.tablePrefix).toBe('prod-');
  });

  it('reads the YAML from an S3 object and from a file', async () => {
    const { c } = clients({}, { 'cfg-bucket/path/evpn-lens.yaml': YAML });
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
    await writeFile(join(dir, 'c.yaml'), YAML);

    expect((await loadRuntimeConfig('s3://cfg-bucket/path/evpn-lens.yaml', c)).dynamodb.tablePrefix).toBe('prod-');
    expect((await loadRuntimeConfig(`file:${join(dir, 'c.yaml')}`, c)).dynamodb.tablePrefix).toBe('prod-');
  });

  it('replaces secret references by the (SecureString) parameter and lists the references', async () => {
    const ref = (name: string) => `\${ssm:${name}}`; // the configuration's reference syntax, ${ssm:/name}
    const yaml = `collector:\n  id: "${ref('/evpn-lens/secret-id')}"\n`;
    const { c, calls } = clients({ '/cfg': yaml, '/evpn-lens/secret-id': 'collector-from-secret' });

    const cfg = await loadRuntimeConfig('ssm:/cfg', c);

    expect(cfg.collector.id).toBe('collector-from-secret');
    expect(calls).toContainEqual({ Name: '/evpn-lens/secret-id', WithDecryption: true });
    expect([...secretRefsOf({ a: [ref('/x/y'), 'plain'], b: { c: ref('/z') } })]).toEqual(['/x/y', '/z']);
  });

  it('fails with one ConfigError naming the place and the bad key', async () => {
    const { c } = clients({ '/bad': 'macIndex:\n  flap: { moves: 1 }\n', '/typo': 'fabriks: []\n', '/yaml': 'a: [\n' });

    await expect(loadRuntimeConfig('ssm:/bad', c)).rejects.toThrow(/ssm:\/bad: macIndex\.flap\.moves/);
    await expect(loadRuntimeConfig('ssm:/typo', c)).rejects.toThrow(/unknown key "fabriks"/);
    await expect(loadRuntimeConfig('ssm:/yaml', c)).rejects.toThrow(/invalid YAML/);
    await expect(loadRuntimeConfig('ssm:/missing', c)).rejects.toThrow(/ssm:\/missing: cannot read the parameter/);
    await expect(loadRuntimeConfig(undefined, c)).rejects.toBeInstanceOf(ConfigError);
  });

  it('accepts ssm:/name, s3://bucket/key and file:/path locations only', () => {
    expect(parseConfigLocation('ssm:/a/b')).toEqual({ kind: 'ssm', name: '/a/b' });
    expect(parseConfigLocation('s3://my-bucket/k/e.yaml')).toEqual({ kind: 's3', bucket: 'my-bucket', key: 'k/e.yaml' });
    expect(parseConfigLocation('file:/etc/x.yaml')).toEqual({ kind: 'file', path: '/etc/x.yaml' });
    for (const bad of ['', 'ssm:a', 'http://x/y', 's3://B/k']) expect(() => parseConfigLocation(bad)).toThrow(ConfigError);
  });
});
