/**
 * The one owner of the collector's backpressure: a byte count with two distinct thresholds (hysteresis). Past the
 * high-water mark the buffer is full: `add` says so, and stays saying so until acknowledgements bring it below the
 * low-water mark, when `whenBelowLowWater` resolves and the sockets resume. With one threshold the sockets would pause
 * and resume on every acknowledged record.
 */
/** Defaults of `collector.kafka` buffering, defined once. */
export const DEFAULT_HIGH_WATER_BYTES = 32 * 1024 * 1024;
export const DEFAULT_LOW_WATER_BYTES = 16 * 1024 * 1024;

export class BufferWatermarks {
  private bytes = 0;
  private full = false;
  private waiters: (() => void)[] = [];

  constructor(
    readonly highWaterBytes = DEFAULT_HIGH_WATER_BYTES,
    readonly lowWaterBytes = Math.min(DEFAULT_LOW_WATER_BYTES, Math.floor(highWaterBytes / 2)),
  ) {
    if (!(lowWaterBytes >= 0 && lowWaterBytes < highWaterBytes)) {
      throw new RangeError(`the low-water mark (${lowWaterBytes} bytes) must be below the high-water mark (${highWaterBytes} bytes)`);
    }
  }

  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Whether the buffer is full (since it passed the high-water mark, until it falls below the low-water mark). */
  get isFull(): boolean {
    return this.full;
  }

  /** Accounts for bytes taken; false when the buffer is full and the producers should pause. */
  add(n: number): boolean {
    this.bytes += n;
    if (this.bytes >= this.highWaterBytes) this.full = true;
    return !this.full;
  }

  /** Accounts for bytes acknowledged (or dropped); below the low-water mark the paused producers resume. */
  remove(n: number): void {
    this.bytes -= n;
    if (this.full && this.bytes < this.lowWaterBytes) {
      this.full = false;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when the buffer is not full (at once when it is not). */
  whenBelowLowWater(): Promise<void> {
    return this.full ? new Promise<void>((resolve) => this.waiters.push(resolve)) : Promise.resolve();
  }
}
