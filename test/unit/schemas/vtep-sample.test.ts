import { describe, expect, it } from 'vitest';
import { JSON_OPTIONS, SampleKind, TargetEventKind, VtepSample, VtepSampleBatch } from '../../../schemas/events.js';
import { toBigInt, u64 } from '../../../schemas/long.js';
import { DELETED_OBJECT_NAMES, isVtepSampleName, TARGET_ERROR_KINDS, VTEP_SAMPLE_NAMES } from '../../../schemas/vtep-telemetry.js';

const MAX_U64 = 2n ** 64n - 1n;

describe('telemetry.vtep.v1 contract', () => {
  it('keeps a counter at 2^64-1 and nanosecond timestamps exact through a batch', () => {
    const a = VtepSample.encode({
      fabric: 'dc1',
      device: 'dc1-leaf11',
      peer: '10.0.0.12',
      kind: SampleKind.SAMPLE_KIND_COUNTER,
      name: 'total-encap-pkts',
      value: u64(MAX_U64),
      timestampNs: u64(1_732_480_000_123_456_789n),
      receiveTimeNs: u64(1_732_480_000_223_456_789n),
    }).finish();
    const b = VtepSample.encode({
      device: 'dc1-leaf11',
      kind: SampleKind.SAMPLE_KIND_TARGET,
      target: { kind: TargetEventKind.TARGET_EVENT_KIND_DOWN, errorKind: 'tls', retryInMs: u64(1500) },
    }).finish();
    // Batches are built by appending field 1 (tag 0x0a, length, bytes): what the publisher's batcher does.
    const record = Buffer.concat([Buffer.from([0x0a, a.length]), a, Buffer.from([0x0a, b.length]), b]);

    const { samples } = VtepSampleBatch.decode(record);

    expect(samples).toHaveLength(2);
    expect(toBigInt(samples[0]!.value)).toBe(MAX_U64);
    expect(toBigInt(samples[0]!.timestampNs)).toBe(1_732_480_000_123_456_789n);
    expect(VtepSample.toObject(samples[0] as VtepSample, JSON_OPTIONS)).toMatchObject({
      value: '18446744073709551615',
      kind: 'SAMPLE_KIND_COUNTER',
      peer: '10.0.0.12',
    });
    expect(VtepSample.toObject(samples[1] as VtepSample, JSON_OPTIONS)).toMatchObject({
      kind: 'SAMPLE_KIND_TARGET',
      target: { kind: 'TARGET_EVENT_KIND_DOWN', errorKind: 'tls', retryInMs: '1500' },
    });
  });

  it('documents every canonical name with a kind and a scope, and state names with their values', () => {
    for (const [name, info] of Object.entries(VTEP_SAMPLE_NAMES)) {
      expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(info.scopes.length).toBeGreaterThan(0);
      expect('states' in info).toBe(info.kind === 'state');
    }
    expect(isVtepSampleName('total-decap-bytes')).toBe(true);
    expect(isVtepSampleName('toString')).toBe(false);
    expect(Object.keys(DELETED_OBJECT_NAMES).filter((n) => isVtepSampleName(n))).toEqual([]);
    expect(Object.keys(TARGET_ERROR_KINDS)).toContain('keepalive');
  });
});
