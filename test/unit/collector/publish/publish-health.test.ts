import { describe, expect, it } from 'vitest';
import { PublishHealth } from '../../../../collector/publish/publish-health.js';

function setup(o: { stalledSince?: number; reachable: boolean }) {
  let now = 100_000;
  let probes = 0;
  const publisher = { stalledSince: () => o.stalledSince };
  const health = new PublishHealth({
    publisher,
    probeCluster: async () => {
      probes++;
      if (!o.reachable) throw new Error('ECONNREFUSED');
    },
    stalledAfterMs: 10_000,
    probeEveryMs: 5_000,
    now: () => now,
  });
  return { health, probes: () => probes, advance: (ms: number) => (now += ms), now: () => now };
}

describe('PublishHealth', () => {
  it('is healthy without asking the cluster while nothing has been outstanding for long', async () => {
    const s = setup({ stalledSince: 95_000, reachable: true });
    expect(await s.health.check()).toEqual({ healthy: true, state: 'publishing' });
    expect(s.probes()).toBe(0);
  });

  it('is unhealthy when its producer is stalled while a fresh client reaches the cluster', async () => {
    const s = setup({ stalledSince: 80_000, reachable: true });
    expect(await s.health.check()).toMatchObject({ healthy: false, state: 'task-cannot-publish' });
  });

  it('stays healthy when a fresh client cannot reach the cluster either (replacing the task would gain nothing)', async () => {
    const s = setup({ stalledSince: 80_000, reachable: false });
    expect(await s.health.check()).toMatchObject({ healthy: true, state: 'kafka-unreachable', detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('asks the cluster at most once per probe interval', async () => {
    const s = setup({ stalledSince: 80_000, reachable: true });
    await s.health.check();
    await s.health.check();
    s.advance(4_000);
    await s.health.check();
    expect(s.probes()).toBe(1);
    s.advance(1_000);
    await s.health.check();
    expect(s.probes()).toBe(2);
  });
});
