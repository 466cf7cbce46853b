import { describe, expect, it } from 'vitest';
import { brokerProperties } from '../../../../infra/local/kafka-broker.js';
import { brokersFromEnv } from '../../../support/kafka-env.js';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

describe('kafka-broker brokerProperties', () => {
  const props = parse(brokerProperties({ host: '127.0.0.1', port: 39092, controllerPort: 39093, logDir: '/tmp/k/log', partitions: 6 }));

  it('configures one KRaft node acting as broker and controller on loopback', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('1');
    expect(props.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:39093');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:39092');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
  });

  it('sets every internal topic to one replica so a single node can serve groups and transactions', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.replication.factor',
    ]) {
      expect(props.get(key), key).toBe('1');
    }
  });

  it('puts the log under the data directory, uses the partition count and skips the initial rebalance delay', () => {
    expect(props.get('log.dirs')).toBe('/tmp/k/log');
    expect(props.get('num.partitions')).toBe('6');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
  });

  it('keeps 7 days by default, with no size cap', () => {
    expect(props.get('log.retention.ms')).toBe(String(168 * 3_600_000));
    expect(props.get('log.retention.bytes')).toBe('-1');
    expect(props.get('log.segment.bytes')).toBe(String(128 * 1024 * 1024));
  });

  it('applies a workstation retention: segments roll early enough for time and size to be enforced', () => {
    const p = parse(
      brokerProperties({ host: 'h', port: 1, controllerPort: 2, logDir: 'l', partitions: 12, retention: { hours: 24, bytesPerPartition: 32 * 1024 * 1024 } }),
    );

    expect(p.get('log.retention.ms')).toBe(String(24 * 3_600_000));
    expect(p.get('log.roll.ms')).toBe(String(Math.round((24 * 3_600_000) / 7)));
    expect(p.get('log.retention.bytes')).toBe(String(32 * 1024 * 1024));
    expect(p.get('log.segment.bytes')).toBe(String(8 * 1024 * 1024));
  });

  it('writes no key twice', () => {
    const keys = brokerProperties({ host: 'h', port: 1, controllerPort: 2, logDir: 'l', partitions: 1 })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('=')[0]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('test runs: brokersFromEnv', () => {
  it('splits KAFKA_BROKERS on commas and trims blanks', () => {
    expect(brokersFromEnv({ KAFKA_BROKERS: ' 127.0.0.1:9092, 127.0.0.2:9092 ,' })).toEqual(['127.0.0.1:9092', '127.0.0.2:9092']);
  });

  it('returns undefined when KAFKA_BROKERS is unset or empty, meaning: start a broker', () => {
    expect(brokersFromEnv({})).toBeUndefined();
    expect(brokersFromEnv({ KAFKA_BROKERS: ' , ' })).toBeUndefined();
  });
});
