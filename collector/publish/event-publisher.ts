/**
 * Where the collector's events go. `enqueue` never blocks and never drops: it returns false while the bounded buffer
 * is full (from its high-water mark until it is back below its low-water mark), and the caller (a BMP session) then
 * stops reading its socket until `whenDrained()` resolves (TCP backpressure).
 */
export interface EventPublisher {
  /** Takes an event; false: the buffer is full, pause the producer until `whenDrained()`. */
  enqueue(topic: string, key: string, value: Uint8Array): boolean;
  /** Resolves once the buffer is below its low-water mark (at once when it is not full). */
  whenDrained(): Promise<void>;
  readonly bufferedBytes: number;
  /**
   * Sends one record at once, ahead of the buffer, and resolves with its offset once Kafka acknowledged it (a session's
   * epoch). Publishers without it give sessions no epoch (events then order by collector sequence alone).
   */
  appendAcked?(topic: string, key: string, value: Uint8Array): Promise<bigint>;
  /**
   * Since when (epoch ms) the oldest request not yet acknowledged has been waiting for Kafka, failing or hanging;
   * undefined while nothing is outstanding. A healthy producer's requests take milliseconds.
   */
  stalledSince?(): number | undefined;
  /** Sends everything buffered; resolves when Kafka acknowledged it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
