/**
 * How the handlers end an invocation: the partial batch response (none when every record was applied), after logging
 * each partition that did not finish: a hand-back (the time or event budget ran out: progress, redelivered at once) at
 * info, a failure at error with its cause.
 */
import type { Logger } from 'pino';
import { DeadlineHandBackError, type MskBatchResponse, type PartitionFailures } from './msk.js';

export function reportFailures(failures: PartitionFailures, log: Logger, what: string): MskBatchResponse | undefined {
  const response = failures.response();
  if (!response) return undefined;
  for (const p of failures.partitions()) {
    if (p.err instanceof DeadlineHandBackError) log.info({ partition: p.partition, offset: p.offset }, p.err.message);
    else log.error({ err: p.err, partition: p.partition, offset: p.offset }, `${what} failed; reporting a partial batch failure`);
  }
  return response;
}
