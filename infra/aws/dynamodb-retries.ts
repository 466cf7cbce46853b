/**
 * What DynamoDB throttling does to a function, counted on its client so that it becomes a metric per function (the
 * table's own ReadThrottleEvents / WriteThrottleEvents do not say which function waited).
 *
 * On-demand tables throttle when a function's concurrent writes outrun the table's current capacity (a new table's
 * initial throughput, or a partition's per-key limit of 1,000 write units/s). The SDK's standard retry mode (maxAttempts
 * 5 here) retries ThrottlingException and ProvisionedThroughputExceededException with full-jitter exponential back-off
 * (500 ms base for throttling, 20 s cap), drawing 5 tokens per retry from a client-wide bucket of 500: under sustained
 * throttling the bucket empties and calls fail at once instead of piling up. A call that still fails fails its MAC group
 * (or health unit); the record is reported as a batch item failure and redelivered by the mapping, nothing is lost, and
 * the partition's lag grows. BatchWriteItem / BatchGetItem partial throttling returns UnprocessedItems / UnprocessedKeys,
 * which the store adapter retries with its own back-off (functions/shared/store/dynamodb-table-store.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoDbRetryCounter {
  /** Attempts beyond the first, over every call of the client. */
  retries: number;
  /** Responses that were throttling errors (each attempt counts). */
  throttled: number;
}

const THROTTLING = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

export function countDynamoDbRetries(client: Pick<DynamoDBClient, 'middlewareStack'>): DynamoDbRetryCounter {
  const counter: DynamoDbRetryCounter = { retries: 0, throttled: 0 };
  const attemptsOf = (x: unknown) => Number((x as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1);
  // Outside the retry loop: the attempts a call took.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const out = await next(args);
        counter.retries += Math.max(0, attemptsOf(out.output) - 1);
        return out;
      } catch (err) {
        counter.retries += Math.max(0, attemptsOf(err) - 1);
        throw err;
      }
    },
    { step: 'initialize', name: 'evpnLensRetryCounter' },
  );
  // Inside the retry loop (finalizeRequest, below the retry middleware's high priority) and outside the deserializer
  // (which turns the response into the error): every attempt's error.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if (THROTTLING.has((err as { name?: string }).name ?? '')) counter.throttled++;
        throw err;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'evpnLensThrottleCounter' },
  );
  return counter;
}
