/**
 * What the event source mapping makes of a handler's answer (functions/shared/msk.ts has the rules): per partition of
 * the batch, the offset to redeliver from, or nothing when that partition's records are all done.
 */
import type { MSKEvent } from 'aws-lambda';
import { parseItemIdentifier } from '../../functions/shared/msk.js';
import { BatchResponseError } from './errors.js';

/**
 * Maps each failed partition (`event.records` key) to its checkpoint: the lowest offset the response names in it.
 * Partitions not named are done. Throws BatchResponseError (the whole batch failed) when an identifier is malformed or
 * names no record of the batch, or the list is not a list.
 */
export function checkpointsOf(event: MSKEvent, response: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (response === undefined || response === null) return out;
  const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new BatchResponseError(`batchItemFailures is not a list: ${JSON.stringify(list)}`);
  for (const f of list) {
    const id = parseItemIdentifier((f as { itemIdentifier?: unknown } | null)?.itemIdentifier);
    const key = id ? `${id.topic}-${id.partition}` : undefined;
    const records = key === undefined ? undefined : event.records[key];
    if (!id || !key || !records?.some((r) => Number(r.offset) === id.offset)) {
      throw new BatchResponseError(`a batchItemFailures identifier names no record of this batch: ${JSON.stringify(f)}`);
    }
    const prev = out.get(key);
    if (prev === undefined || id.offset < prev) out.set(key, id.offset);
  }
  return out;
}
