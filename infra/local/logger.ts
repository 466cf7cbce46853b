/** One pino logger for the local stack; JSON lines on stdout, pretty enough to read with `| npx pino-pretty`. */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'evpn-lens'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
