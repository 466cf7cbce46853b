/**
 * Partial batch processing for MSK events, shaped like Powertools' batch utility (@aws-lambda-powertools/batch): a
 * record handler that handles one record and may throw, a processor that collects failures and builds the
 * `batchItemFailures` response, and `processKafkaPartialResponse` as the thin entry. Powertools for TypeScript (2.35)
 * has no Kafka event type (its processors take `event.Records` of SQS, Kinesis or DynamoDB streams and report string
 * identifiers), so this is the Kafka one, with Kafka's ordering rules:
 * - per partition, records reach the handler one at a time in offset order; partitions are handled side by side;
 * - the first failure stops its partition: that partition's later records are not handled in this invocation (they
 *   come again from the checkpoint; handling them now would apply them before the record that failed);
 * - the response names the first failed record of every partition that failed (functions/shared/msk.ts).
 */
import type { Context, MSKEvent, MSKRecord } from 'aws-lambda';
import { type DecodedRecord, decodeRecord, type MskBatchResponse, PartitionFailures, partitionsOf } from './msk.js';

export type KafkaRecordHandler<T> = (record: DecodedRecord<T>, context?: Context) => Promise<unknown>;

export interface KafkaBatchOptions<T> {
  decode: (bytes: Uint8Array) => T;
  /**
   * A record whose value does not decode: given this, it is reported here and skipped (bad input must not stall its
   * partition forever when retries are infinite); without it, the record fails like any other.
   */
  onUndecodable?: (record: MSKRecord, err: unknown) => void;
}

export interface KafkaBatchResult {
  /** Records handled successfully. */
  succeeded: number;
  /** Records that failed (at most one per partition: the first failure stops its partition). */
  failed: number;
  /** Records left for redelivery because an earlier record of their partition failed. */
  notHandled: number;
  /** Records skipped because they do not decode. */
  undecodable: number;
  response: MskBatchResponse | undefined;
}

export class KafkaBatchProcessor<T> {
  constructor(private readonly options: KafkaBatchOptions<T>) {}

  async process(event: MSKEvent, handler: KafkaRecordHandler<T>, context?: Context): Promise<KafkaBatchResult> {
    const failures = new PartitionFailures();
    const result = { succeeded: 0, failed: 0, notHandled: 0, undecodable: 0 };
    await Promise.all(
      partitionsOf(event).map(async ([, records]) => {
        for (let i = 0; i < records.length; i++) {
          const r = records[i]!;
          let decoded: DecodedRecord<T>;
          try {
            decoded = decodeRecord(r, this.options.decode);
          } catch (err) {
            if (this.options.onUndecodable) {
              this.options.onUndecodable(r, err);
              result.undecodable++;
              continue;
            }
            failures.add([r], err);
            result.failed++;
            result.notHandled += records.length - i - 1;
            return;
          }
          try {
            await handler(decoded, context);
            result.succeeded++;
          } catch (err) {
            failures.add([r], err);
            result.failed++;
            result.notHandled += records.length - i - 1;
            return;
          }
        }
      }),
    );
    return { ...result, response: failures.response() };
  }
}

/** The Lambda-facing call: handle the event record by record, answer with the partial batch response (or nothing). */
export async function processKafkaPartialResponse<T>(
  event: MSKEvent,
  handler: KafkaRecordHandler<T>,
  processor: KafkaBatchProcessor<T>,
  context?: Context,
): Promise<MskBatchResponse | undefined> {
  return (await processor.process(event, handler, context)).response;
}
