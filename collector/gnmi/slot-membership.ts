/**
 * gNMI targets divided among the running collectors, each target dialled by exactly one, with a Kafka consumer group
 * as the membership: every collector joins one group on a topic of `slots` partitions that carries nothing, and the
 * group's partition assignment is the division. A target belongs to slot FNV-1a(name) mod slots; a collector dials
 * the targets of the slots (partitions) it was assigned. When a collector stops, it leaves the group at once; when
 * it dies, the group coordinator drops it after the session timeout; either way the group rebalances and its slots,
 * with their targets, go to the others. Kafka's rebalance is stop-the-world (every member gets its new assignment
 * in the same generation), so a slot has one owner at a time, give or take the moment between two members applying
 * theirs. Slots, not targets, are assigned so that adding a target never moves the others.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { fnv1a } from './shard.js';

/** The deployments' slots topic (created with the event topics when gNMI targets are configured) and its partitions. */
export const GNMI_SLOTS_TOPIC = 'evpn-lens.gnmi-slots.v1';
export const GNMI_SLOTS = 64;

export interface SlotMembershipOptions {
  kafka: Kafka;
  /** The consumer group: one per deployment (all its collectors share it). */
  groupId: string;
  /** A topic with `slots` partitions (it carries no records). */
  topic: string;
  /** Called with this member's slots after every rebalance. */
  onAssigned(slots: ReadonlySet<number>): void | Promise<void>;
  /** How long a dead member holds its slots (kafkajs sessionTimeout; default 10 s). */
  sessionTimeoutMs?: number;
  logger?: Logger;
}

export interface SlotMembership {
  slots(): ReadonlySet<number>;
  stop(): Promise<void>;
}

/** The slot of a target. */
export function slotOf(name: string, slots: number): number {
  return fnv1a(name) % slots;
}

export async function joinSlotMembership(o: SlotMembershipOptions): Promise<SlotMembership> {
  const sessionTimeout = o.sessionTimeoutMs ?? 10_000;
  const consumer = o.kafka.consumer({
    groupId: o.groupId,
    sessionTimeout,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 5)),
    rebalanceTimeout: sessionTimeout * 2,
  });
  let mine: ReadonlySet<number> = new Set();
  // Assignments are applied one after another, in the order the group handed them out.
  let applying = Promise.resolve();
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const next = new Set(e.payload.memberAssignment[o.topic] ?? []);
    mine = next;
    o.logger?.info({ group: o.groupId, member: e.payload.memberId, slots: [...next] }, 'gNMI slots assigned');
    applying = applying.then(() => o.onAssigned(next)).catch((err: unknown) => o.logger?.error({ err }, 'applying the gNMI slot assignment failed'));
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: false });
  await consumer.run({ eachBatch: async () => undefined });
  return {
    slots: () => mine,
    async stop() {
      await consumer.disconnect(); // leaves the group: the others take its slots in the next generation
      await applying;
    },
  };
}
