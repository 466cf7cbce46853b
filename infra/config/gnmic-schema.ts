/**
 * `collector.gnmic`: gnmic's Kafka output as a second telemetry input (collector/gnmi/gnmic/gnmic-input.ts). Off by
 * default; the topic is gnmic's default (`telemetry`, pkg/outputs/kafka_output/kafka_output.go) unless configured.
 */
import { z } from 'zod';
import type { GnmicInputConfig } from '../../collector/gnmi/gnmic/gnmic-input.js';

export const gnmicSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The topic gnmic's kafka output writes to (its `topic`). */
  topic: z.string().min(1).default('telemetry'),
  /** gnmic's output `format`: `event` (its default; with or without `split-events`) or `proto` (needs `add-target`). */
  format: z.enum(['event', 'proto']).default('event'),
  /** The consumer group; default `<kafka.clientId>-gnmic`. */
  groupId: z.string().min(1).optional(),
  /** The fabric of gnmic targets not listed in `devices` (required when enabled and `listedOnly` is false). */
  fabric: z.string().min(1).optional(),
  /** Per gnmic target name: the device name evpn-lens gives it, its fabric, its local VTEP address. */
  devices: z
    .record(z.string().min(1), z.strictObject({ name: z.string().min(1).optional(), fabric: z.string().min(1).optional(), vtep: z.string().min(1).optional() }))
    .default({}),
  /** Take only the targets listed in `devices`. */
  listedOnly: z.boolean().default(false),
  /**
   * How often gnmic's subscriptions resend an unchanged leaf, per gnmic subscription name (`*` for the others): its
   * sample interval (or heartbeat), in seconds. Health's staleness per target uses it; unset: health.gnmiIntervalSeconds.
   */
  refreshSeconds: z.record(z.string().min(1), z.number().min(0).max(86_400)).default({}),
  publishUnmapped: z.boolean().default(false),
});

export type GnmicConfig = z.output<typeof gnmicSchema>;

export function gnmicInputConfig(g: GnmicConfig, clientId: string, defaultFabric: string): GnmicInputConfig {
  return {
    topic: g.topic,
    format: g.format,
    groupId: g.groupId ?? `${clientId}-gnmic`,
    fabric: g.fabric ?? defaultFabric,
    devices: g.devices,
    listedOnly: g.listedOnly,
    refreshMs: Object.fromEntries(Object.entries(g.refreshSeconds).map(([k, s]) => [k, Math.round(s * 1000)])),
    publishUnmapped: g.publishUnmapped,
  };
}
