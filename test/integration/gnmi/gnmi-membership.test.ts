/**
 * gNMI targets divided among collector processes through a Kafka consumer group (collector/gnmi/slot-membership.ts),
 * against the real local broker and the openconfig gNMI target harness: with two processes every target is dialled
 * (and connected) by exactly one; when one is killed (SIGKILL: it never leaves the group), its targets move to the
 * other within the group's session timeout plus a rebalance.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { slotOf } from '../../../collector/gnmi/slot-membership.js';
import { REPO_ROOT } from '../../../infra/build/bundle.js';
import { type GoTarget, startGoTarget } from '../../support/gnmi/go-peers.js';
import { brokers, createTopics, uniqueName, waitFor } from '../support/env.js';

const SESSION_TIMEOUT_MS = 6_000;
/** The bound stated for a killed collector's targets to be connected again from the survivor. */
const MOVED_WITHIN_MS = 30_000;

interface View {
  dialing: string[];
  connected: string[];
}

/**
 * Names for `n` targets in slots of both parities. kafkajs's round-robin assigner gives two members alternate
 * partitions (slots), so names drawn at random put every target in one member's slots 1 time in 2^(n-1); the other
 * member then has nothing to dial, and the test would wait for it in vain (CI saw it once).
 */
function targetNames(n: number, slots: number): string[] {
  for (;;) {
    const names = Array.from({ length: n }, (_, i) => uniqueName(`leaf${i}`));
    if (new Set(names.map((x) => slotOf(x, slots) % 2)).size === 2) return names;
  }
}

function startCollectorProcess(env: object): { child: ChildProcess; view: () => View; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/support/gnmi/membership-collector.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, MEMBERSHIP_COLLECTOR: JSON.stringify(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let view: View = { dialing: [], connected: [] };
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + String(d)).slice(-10_000)));
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (l.startsWith('{')) view = JSON.parse(l) as View;
  });
  return { child, view: () => view, stderr: () => stderr };
}

describe('gNMI targets divided among collectors by a Kafka consumer group', () => {
  const stops: (() => Promise<unknown> | unknown)[] = [];
  afterAll(async () => {
    for (const s of stops.reverse()) await Promise.resolve(s()).catch(() => undefined);
  });

  it('dials every target exactly once from two collectors, and moves a killed one’s targets to the other', async () => {
    // Arrange: eight targets on the harness, a slots topic of 16 partitions, two collector processes in one group.
    const names = targetNames(8, 16);
    const harness: GoTarget = await startGoTarget({ targets: names });
    stops.push(() => harness.stop());
    const topic = uniqueName('gnmi-slots');
    await createTopics([topic], 16);
    const env = {
      brokers: brokers(),
      groupId: uniqueName('gnmi-members'),
      topic,
      slots: 16,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      targets: names.map((name) => ({ name, address: harness.address })),
    };
    const a = startCollectorProcess(env);
    stops.push(() => a.child.kill('SIGKILL'));
    const b = startCollectorProcess(env);
    stops.push(() => b.child.kill('SIGKILL'));
    const all = [...names].sort();

    // Act 1: both in the group.
    await waitFor(
      () => {
        const [va, vb] = [a.view(), b.view()];
        return va.connected.length > 0 && vb.connected.length > 0 && [...va.connected, ...vb.connected].length === all.length;
      },
      () => `both collectors connected (a: ${JSON.stringify(a.view())} ${a.stderr()} b: ${JSON.stringify(b.view())} ${b.stderr()})`,
      90_000,
      100,
    );
    const split = { a: a.view(), b: b.view() };

    // Act 2: a is killed.
    const moved = split.a.dialing;
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor(() => b.view().connected.length === all.length, 'the survivor connected to every target', MOVED_WITHIN_MS + 30_000, 100);
    const movedAfterMs = Date.now() - killedAt;

    // Assert: a partition of the targets (each dialled by one), then all on the survivor within the stated bound.
    expect([...split.a.dialing, ...split.b.dialing].sort()).toEqual(all);
    expect(split.a.dialing.filter((n) => split.b.dialing.includes(n))).toEqual([]);
    expect(moved.length).toBeGreaterThan(0);
    expect(b.view().dialing).toEqual(all);
    expect(movedAfterMs).toBeLessThan(MOVED_WITHIN_MS);
    console.log(
      `gNMI membership: split ${split.a.dialing.length}/${split.b.dialing.length}; ${moved.length} targets moved to the survivor ${movedAfterMs} ms after SIGKILL (session timeout ${SESSION_TIMEOUT_MS} ms)`,
    );
  }, 180_000);
});
