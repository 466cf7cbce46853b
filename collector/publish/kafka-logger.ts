/**
 * kafkajs logs through pino. kafkajs reports retriable conditions it recovers from itself (a coordinator still
 * loading, a rebalance) at ERROR; they are logged one level lower so that an operator's error log means trouble.
 */
import { type logCreator, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

export function kafkaLogCreator(logger: Logger | undefined): logCreator {
  return () =>
    ({ level, log }) => {
      if (!logger) return;
      const { message, ...extra } = log;
      const retriable =
        (extra as { retriable?: boolean }).retriable === true ||
        /coordinator is (loading|not available)|not the correct coordinator|rebalanc|^Restarting the consumer/i.test(
          String(message) + JSON.stringify(extra.error ?? ''),
        );
      if (level === logLevel.ERROR && !retriable) logger.error({ kafka: extra }, message);
      else if (level === logLevel.ERROR || level === logLevel.WARN) logger.debug({ kafka: extra }, message);
    };
}
