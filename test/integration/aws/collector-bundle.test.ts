/**
 * The collector's container entry, as the Dockerfile runs it: its esbuild bundle (dist/collector/index.mjs) as a
 * process, configured by EVPN_LENS_CONFIG, publishing to the real broker, answering the health check and /metrics, and
 * sending its figures to an EMF listener (the CloudWatch agent's role) before it exits on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from '../../../infra/local/free-port.js';
import { testBuildRoot } from '../../support/cdk-deployment.js';
import { brokers, waitFor } from '../support/env.js';

it('starts from its bundle, reports healthy, serves metrics, exports EMF and exits cleanly on SIGTERM', async () => {
  // Arrange: an EMF listener standing in for the CloudWatch agent sidecar.
  let emf = '';
  const agent = createServer((s) => s.on('data', (b) => (emf += b.toString())));
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const [bmpPort, healthPort] = [await freePort(), await freePort()];
  const file = join(mkdtempSync(join(tmpdir(), 'evpn-collector-')), 'evpn-lens.yaml');
  writeFileSync(
    file,
    `logLevel: warn\ncollector:\n  bmp:\n    listen: 127.0.0.1:${bmpPort}\nfabrics:\n  - name: dc1\n    match: { addresses: [127.0.0.0/8] }\n`,
  );
  const bundle = join(await testBuildRoot(), 'dist', 'collector', 'index.mjs');

  // Act
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    env: {
      PATH: process.env.PATH,
      EVPN_LENS_CONFIG: `file:${file}`,
      KAFKA_BROKERS: brokers().join(','),
      KAFKA_AUTH: 'none',
      AWS_REGION: 'us-east-1',
      HEALTH_PORT: String(healthPort),
      EMF_AGENT_ENDPOINT: `tcp://127.0.0.1:${(agent.address() as { port: number }).port}`,
      EMF_LOG_GROUP: '/ecs/test-collector-metrics',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    const health = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`).catch(() => undefined);
        return res?.ok ? ((await res.json()) as { healthy: boolean; state: string }) : undefined;
      },
      `the collector's health check (stderr: ${stderr})`,
      60_000,
      200,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    child.kill('SIGTERM');

    // Assert
    expect(health).toMatchObject({ healthy: true, state: 'publishing' });
    expect(metrics).toContain('evpnlens_bmp_sessions');
    expect(await exited).toBe(0);
    const docs = emf
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(docs.find((d) => 'evpnlens_bmp_sessions' in d)).toMatchObject({ service: 'collector', _aws: { LogGroupName: '/ecs/test-collector-metrics' } });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    agent.close();
  }
});
