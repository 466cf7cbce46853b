import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Alert, AlertState, AlertType } from '../../../schemas/events.js';
import { u64 } from '../../../schemas/long.js';
import { TOPICS } from '../../../schemas/topics.js';
import { brokers, kafkaClient } from '../support/env.js';

const cli = join(resolve(import.meta.dirname, '../../..'), 'bin/evpn-lens.mjs');

describe('evpn-lens tail', () => {
  it("prints a topic's events as JSON lines with protobuf JSON field names", async () => {
    const producer = kafkaClient('tail-test').producer();
    await producer.connect();
    const id = `mac-flap/02:7a:11:00:00:01/10100/${Date.now()}`;
    await producer.send({
      topic: TOPICS.alerts,
      messages: [
        {
          key: id,
          value: Buffer.from(
            Alert.encode({
              id,
              type: AlertType.ALERT_TYPE_MAC_FLAP,
              state: AlertState.ALERT_STATE_RAISED,
              mac: '02:7a:11:00:00:01',
              vni: 10100,
              fabric: 'dc1',
              raisedAtMs: u64(1_795_000_000_000n),
              moveCount: 5,
            }).finish(),
          ),
        },
      ],
    });
    await producer.disconnect();

    const r = spawnSync(process.execPath, [cli, 'tail', TOPICS.alerts, '--from-beginning', '--timeout', '6', '--brokers', brokers().join(',')], {
      encoding: 'utf8',
      timeout: 60_000,
    });

    const lines = r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        id,
        type: 'ALERT_TYPE_MAC_FLAP',
        state: 'ALERT_STATE_RAISED',
        mac: '02:7a:11:00:00:01',
        vni: 10100,
        raisedAtMs: '1795000000000',
        moveCount: 5,
      }),
    );
  });

  it('rejects an unknown topic with exit code 2', () => {
    const r = spawnSync(process.execPath, [cli, 'tail', 'no.such.topic', '--timeout', '1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown topic "no.such.topic"');
  });
});
