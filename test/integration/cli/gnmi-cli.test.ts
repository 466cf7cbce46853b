/**
 * `evpn-lens gnmi capabilities|get|subscribe` against openconfig/gnmi's reference target (Subscribe only, TLS) and a
 * grpc-js target that implements Get and Capabilities: JSON lines, exact 64-bit values, a clear message for a target
 * that lacks an RPC, and credentials from the environment that never reach the output.
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GNMI_SERVICE_VERSION } from '../../../schemas/gnmi.js';
import { type GoTarget, notificationJson, startGoTarget } from '../../support/gnmi/go-peers.js';
import { notification, OC_VXLAN, str, uint } from '../../support/gnmi/notifications.js';
import { startTsTarget, type TsTarget } from '../../support/gnmi/ts-target.js';
import { testPki } from '../../support/tls.js';

const cli = join(resolve(import.meta.dirname, '../../..'), 'bin/evpn-lens.mjs');
const MAX = '18446744073709551615';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; lines: any[] }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [cli, 'gnmi', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) =>
      res({
        code,
        stdout,
        stderr,
        lines: stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      }),
    );
  });
}

describe('evpn-lens gnmi', () => {
  const pki = testPki();
  let harness: GoTarget;
  let rich: TsTarget;
  const tlsFlags = () => ['--address', harness.address, '--tls-ca', pki.ca, '--tls-server-name', 'leaf11', '--target', 'leaf11'];

  beforeAll(async () => {
    harness = await startGoTarget({ targets: ['leaf11'], tls: { cert: pki.serverCert, key: pki.serverKey } });
    const n = notification(`openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state`, [
      ['counters/total-encap-pkts', uint(BigInt(MAX))],
      ['peer-state', str('UP')],
    ]);
    await harness.send({ update: notificationJson({ ...n, timestamp: null, prefix: { ...n.prefix, target: 'leaf11' } }) }, { sync: 'leaf11' });
    rich = await startTsTarget({
      subscribe: () => undefined,
      credentials: { username: 'ops', password: 'cli-Secret-9' },
      capabilities: () => ({
        gNMIVersion: GNMI_SERVICE_VERSION,
        supportedEncodings: [0, 4],
        supportedModels: [{ name: 'openconfig-evpn', organization: 'OpenConfig working group', version: '0.6.0' }],
      }),
      get: (req) => ({ notification: [notification(`/${req.path?.[0]?.elem?.map((e) => e.name).join('/')}`, [['counters/in-octets', uint(BigInt(MAX))]])] }),
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await rich?.stop();
  });

  it('subscribe --mode once prints each response as a JSON line, 64-bit values exact, over TLS', async () => {
    const r = await run(['subscribe', ...tlsFlags(), '--mode', 'once', 'openconfig:/network-instances']);

    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.at(-1)).toEqual({ syncResponse: true });
    const updates = r.lines.filter((l) => l.update).flatMap((l) => l.update.updates.map((u: any) => [`${l.update.prefix}${u.path}`, u.value]));
    expect(updates).toContainEqual([`openconfig:${OC_VXLAN}/endpoint-peers/endpoint-peer[peer-address=10.0.0.2]/state/counters/total-encap-pkts`, MAX]);
    expect(r.lines.find((l) => l.update)?.update.target).toBe('leaf11');
  });

  it('subscribe --normalize prints the samples the collector would publish', async () => {
    const r = await run(['subscribe', ...tlsFlags(), '--stream-mode', 'on-change', '--count', '3', '--normalize', 'openconfig:/network-instances']);

    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toContainEqual(
      expect.objectContaining({ kind: 'SAMPLE_KIND_COUNTER', name: 'total-encap-pkts', value: MAX, peer: '10.0.0.2', device: 'leaf11' }),
    );
    expect(r.lines).toContainEqual(expect.objectContaining({ kind: 'SAMPLE_KIND_STATE', name: 'peer-state', state: 'UP' }));
  });

  it('says clearly that a target lacks Get and Capabilities', async () => {
    for (const rpc of ['get', 'capabilities']) {
      const r = await run([rpc, ...tlsFlags(), ...(rpc === 'get' ? ['/interfaces'] : [])]);
      expect(r.code, rpc).toBe(1);
      expect(r.stderr).toMatch(/does not implement (Get|Capabilities) \(UNIMPLEMENTED\).*subscribe --mode once/);
    }
  });

  it('get and capabilities against a target that has them, credentials from the environment, never echoed', async () => {
    const auth = ['--address', rich.address, '--no-tls', '--username', 'ops', '--password-env', 'GNMI_PW'];
    const caps = await run(['capabilities', ...auth], { GNMI_PW: 'cli-Secret-9' });
    const get = await run(['get', ...auth, 'openconfig:/interfaces/interface[name=Ethernet1]/state'], { GNMI_PW: 'cli-Secret-9' });
    const denied = await run(['get', ...auth, '/interfaces'], { GNMI_PW: 'wrong-Secret-1' });

    expect(caps.code, caps.stderr).toBe(0);
    expect(caps.lines[0]).toMatchObject({ gNMIVersion: '0.10.0', supportedEncodings: ['JSON', 'JSON_IETF'] });
    expect(get.code, get.stderr).toBe(0);
    expect(get.lines[0].updates).toEqual([{ path: '/counters/in-octets', value: MAX }]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Get failed (UNAUTHENTICATED)');
    expect(denied.stderr + denied.stdout).not.toContain('wrong-Secret-1');
  });
});
