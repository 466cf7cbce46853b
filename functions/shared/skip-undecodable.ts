/**
 * The one skip-and-log path of every handler for a record whose value does not decode: it is logged with its position
 * and skipped, never retried (a retry would decode it the same way, and with infinite retries stall its partition).
 */
import type { Logger } from 'pino';
import { describeRecord, type RecordPosition } from './msk.js';

export function logUndecodable(log: Logger, rec: RecordPosition, what: string, err: unknown): void {
  log.warn({ record: describeRecord(rec), err: err instanceof Error ? err.message : String(err) }, `skipped ${what} that does not decode`);
}
