/**
 * telemetry.vtep.v1 records (VtepSampleBatch, docs/telemetry-vtep.md) into the health function's samples: the kind
 * and canonical name of each sample, its scope (peer, VNI), the uint64 value kept exact as a bigint, the device's
 * timestamp (buckets) and the collector's receive time (freshness).
 */
import { SampleKind, TargetEventKind, VtepSampleBatch } from '../../schemas/events.js';
import { toBigInt } from '../../schemas/long.js';
import { ordOf } from './route-presence.js';
import type { TelemetrySample } from './telemetry.js';

const KINDS: Record<number, TelemetrySample['kind']> = {
  [SampleKind.SAMPLE_KIND_COUNTER]: 'counter',
  [SampleKind.SAMPLE_KIND_GAUGE]: 'gauge',
  [SampleKind.SAMPLE_KIND_STATE]: 'state',
  [SampleKind.SAMPLE_KIND_DELETED]: 'deleted',
  [SampleKind.SAMPLE_KIND_TARGET]: 'target',
};

const TARGET_KINDS: Record<number, string> = {
  [TargetEventKind.TARGET_EVENT_KIND_CONNECTED]: 'CONNECTED',
  [TargetEventKind.TARGET_EVENT_KIND_SYNCED]: 'SYNCED',
  [TargetEventKind.TARGET_EVENT_KIND_DOWN]: 'DOWN',
};

export function telemetrySamplesOf(bytes: Uint8Array, recordMs: number): TelemetrySample[] {
  return VtepSampleBatch.decode(bytes).samples.map((s) => {
    const rxNs = toBigInt(s.receiveTimeNs);
    const tsNs = toBigInt(s.timestampNs) || rxNs || BigInt(recordMs) * 1_000_000n;
    return {
      fabric: s.fabric ?? '',
      device: s.device ?? '',
      vtep: s.vtep ?? '',
      peer: s.peer ?? '',
      vni: s.vni ?? 0,
      endpoint: s.endpoint ?? '',
      networkInstance: s.networkInstance ?? '',
      kind: KINDS[s.kind ?? 0] ?? 'other',
      name: s.name ?? '',
      value: toBigInt(s.value),
      state: s.state ?? '',
      tsNs,
      rxMs: rxNs ? Number(rxNs / 1_000_000n) : recordMs,
      ord: ordOf(s.collectorSeq),
      refreshMs: s.refreshIntervalMs ?? 0,
      target: s.target
        ? { kind: TARGET_KINDS[s.target.kind ?? 0] ?? 'UNSPECIFIED', errorKind: s.target.errorKind ?? '', detail: s.target.detail ?? '' }
        : undefined,
    };
  });
}
