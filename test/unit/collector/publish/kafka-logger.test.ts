import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaLogCreator } from '../../../../collector/publish/kafka-logger.js';

describe('kafkaLogCreator', () => {
  it('keeps one "Kafka unreachable" line per client per 10 s while the broker is down; other errors stay errors', () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const log = kafkaLogCreator(logger)(logLevel.INFO);
    const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
      log({ namespace: 'Connection', level, label: 'ERROR', log: { timestamp: '', logger: 'kafkajs', message, ...extra } });
    for (let i = 0; i < 50; i++) entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    entry(logLevel.ERROR, 'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED');
    entry(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', { error: 'The request included a message larger than the max message size' });
    expect(lines.filter((l) => /Kafka unreachable/.test(l.msg))).toHaveLength(1);
    expect(lines.find((l) => /Kafka unreachable/.test(l.msg))?.level).toBe(40);
    expect(lines.filter((l) => l.level === 50).map((l) => l.msg)).toEqual(['Response Produce(key: 0, version: 7)']);
  });

  it('logs at debug once the client is stopping (a join cut short by the stop is no error)', () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    let stopping = false;
    const log = kafkaLogCreator(logger, () => stopping)(logLevel.INFO);
    const entry = (message: string) =>
      log({
        namespace: 'Consumer',
        level: logLevel.ERROR,
        label: 'ERROR',
        log: { timestamp: '', logger: 'kafkajs', message, error: 'Failed to find group coordinator' },
      });

    entry('Crash: KafkaJSGroupCoordinatorNotFound');
    stopping = true;
    entry('Crash: KafkaJSGroupCoordinatorNotFound');

    expect(lines.map((l) => l.level)).toEqual([50, 20]);
  });
});
