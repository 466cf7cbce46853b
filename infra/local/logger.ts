/**
 * One pino logger for the local stack: human-readable lines (pino-pretty) on a terminal, JSON lines otherwise (a
 * pipe, a file, a log shipper) or when asked with `--log-format json`.
 */
import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function createLogger(level: string, o: { name?: string; format?: LogFormat; stream?: NodeJS.WritableStream & { isTTY?: boolean } } = {}): Logger {
  const out = o.stream ?? process.stdout;
  const format = o.format ?? 'auto';
  const opts = { name: o.name ?? 'evpn-lens', level, base: { pid: process.pid } };
  if (format === 'json' || (format === 'auto' && !out.isTTY)) return pino(opts, out);
  // Synchronous: the last lines before an exit (a failed start, the shutdown) must reach the terminal.
  return pino(
    opts,
    pretty({
      destination: o.stream ?? 1,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
      singleLine: true,
    }),
  );
}
