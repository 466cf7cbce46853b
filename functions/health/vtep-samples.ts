/**
 * telemetry.vtep.v1 records into the health function's samples. The normalized contract (VtepSampleBatch of named
 * samples, schemas/vtep-telemetry.ts) comes with the gNMI collector; until it is on main this reads nothing.
 */
import type { TelemetrySample } from './telemetry.js';

export function telemetrySamplesOf(_bytes: Uint8Array, _recordMs: number): TelemetrySample[] {
  return [];
}
