import { describe, expect, it } from 'vitest';
import { localTopicSpecs } from '../../../../infra/local/local-retention.js';
import { ALL_TOPICS, TOPICS } from '../../../../schemas/topics.js';

describe('localTopicSpecs', () => {
  it('shares the byte cap by volume: the route topic gets the most, and all together stay within the cap', () => {
    const cap = 2 * 1024 ** 3;
    const specs = localTopicSpecs(ALL_TOPICS, cap, 12);
    const total = specs.reduce((a, s) => a + s.retentionBytes! * s.partitions, 0);
    const routes = specs.find((s) => s.name === TOPICS.routes)!;
    expect(specs.map((s) => s.name)).toEqual([...ALL_TOPICS]);
    expect(total).toBeLessThanOrEqual(cap);
    expect(total).toBeGreaterThan(cap * 0.99);
    // An equal share per partition of every topic gave routes a fifth of the cap (a 1,000,000-MAC dump outran it).
    expect(routes.retentionBytes! * 12).toBeGreaterThanOrEqual(cap * 0.6 - 12);
    for (const s of specs) expect(s.retentionBytes!).toBeLessThanOrEqual(routes.retentionBytes!);
  });
});
