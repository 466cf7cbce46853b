import { describe, expect, it } from 'vitest';
import { BufferWatermarks, DEFAULT_HIGH_WATER_BYTES, DEFAULT_LOW_WATER_BYTES } from '../../../../collector/publish/buffer-watermarks.js';

describe('BufferWatermarks (the one owner of backpressure)', () => {
  it('pauses at the high-water mark and resumes only below the distinct low-water mark', async () => {
    const b = new BufferWatermarks(1000, 400);
    expect(b.add(600)).toBe(true);
    expect(b.add(400)).toBe(false); // 1000: full
    let resumed = false;
    const drained = b.whenBelowLowWater().then(() => (resumed = true));
    b.remove(300); // 700: below the high-water mark, still full (hysteresis)
    expect(b.isFull).toBe(true);
    expect(b.add(10)).toBe(false); // producers keep being told to pause
    await Promise.resolve();
    expect(resumed).toBe(false);
    b.remove(320); // 390: below the low-water mark
    await drained;
    expect(resumed).toBe(true);
    expect(b.isFull).toBe(false);
    expect(b.add(100)).toBe(true);
    expect(b.bufferedBytes).toBe(490);
  });

  it('resolves at once when not full', async () => {
    const b = new BufferWatermarks(1000, 400);
    b.add(999);
    await b.whenBelowLowWater();
  });

  it('defaults to 32 MiB / 16 MiB, and refuses a low-water mark not below the high one', () => {
    const b = new BufferWatermarks();
    expect([b.highWaterBytes, b.lowWaterBytes]).toEqual([DEFAULT_HIGH_WATER_BYTES, DEFAULT_LOW_WATER_BYTES]);
    expect(DEFAULT_LOW_WATER_BYTES).toBeLessThan(DEFAULT_HIGH_WATER_BYTES);
    expect(new BufferWatermarks(64 * 1024).lowWaterBytes).toBe(32 * 1024);
    expect(() => new BufferWatermarks(1000, 1000)).toThrow(RangeError);
  });
});
