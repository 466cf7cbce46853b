/**
 * kafkajs logs through pino. kafkajs reports retriable conditions it recovers from itself (a coordinator still
 * loading, a rebalance) at ERROR; they are logged one level lower so that an operator's error log means trouble.
 * While the broker is unreachable every client logs each connection attempt: one such line per client per 10 s is
 * kept (at WARN, with the count of those left out), so the log says what is wrong without filling up.
 */
import { type logCreator, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

const UNREACHABLE = /ECONNREFUSED|ECONNRESET|EPIPE|Connection error|Connection timeout|Failed to connect to seed broker|KafkaJSNumberOfRetriesExceeded/i;
const UNREACHABLE_LOG_EVERY_MS = 10_000;

/** `stopping`: once it says so, the client is being shut down and what it reports (a join cut short) is logged at debug. */
export function kafkaLogCreator(logger: Logger | undefined, stopping: () => boolean = () => false): logCreator {
  return () => {
    let lastUnreachable = 0;
    let leftOut = 0;
    return ({ level, log }) => {
      if (!logger) return;
      const { message, ...extra } = log;
      if (stopping()) return void logger.debug({ kafka: extra }, message);
      if (level <= logLevel.WARN && UNREACHABLE.test(String(message) + JSON.stringify(extra.error ?? extra.stack ?? ''))) {
        const now = Date.now();
        if (now - lastUnreachable < UNREACHABLE_LOG_EVERY_MS) {
          leftOut++;
          return;
        }
        logger.warn({ kafka: extra, leftOut }, `Kafka unreachable: ${message}`);
        lastUnreachable = now;
        leftOut = 0;
        return;
      }
      const retriable =
        (extra as { retriable?: boolean }).retriable === true ||
        /coordinator is (loading|not available)|not the correct coordinator|rebalanc|^Restarting the consumer/i.test(
          String(message) + JSON.stringify(extra.error ?? ''),
        );
      if (level === logLevel.ERROR && !retriable) logger.error({ kafka: extra }, message);
      else if (level === logLevel.ERROR || level === logLevel.WARN) logger.debug({ kafka: extra }, message);
    };
  };
}
