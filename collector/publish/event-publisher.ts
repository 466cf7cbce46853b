/**
 * Where the collector's events go. `enqueue` never blocks and never drops: it returns false once the bounded buffer is
 * full, and the caller (a BMP session) then stops reading its socket until `whenDrained()` resolves (TCP backpressure).
 */
export interface EventPublisher {
  enqueue(topic: string, key: string, value: Uint8Array): boolean;
  whenDrained(): Promise<void>;
  readonly bufferedBytes: number;
  /** Sends everything buffered; resolves when Kafka acknowledged it. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
