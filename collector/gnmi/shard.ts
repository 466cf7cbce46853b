/**
 * Static sharding of gNMI targets over collector tasks. With `collector.gnmi.shard: { index, count }` a task dials
 * only the targets assigned to its index: a target's own `shard` when the configuration pins it, else FNV-1a of its
 * name modulo count. Every task reads the same configuration and computes the same assignment, so each target is
 * dialed by exactly one task and no membership protocol is needed; moving targets means changing the configuration.
 */

export interface ShardSpec {
  index: number;
  count: number;
}

/** FNV-1a (32 bit) of a string's UTF-8 bytes. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function shardOf(target: { name: string; shard?: number | undefined }, count: number): number {
  return target.shard ?? fnv1a(target.name) % count;
}

export function targetsOfShard<T extends { name: string; shard?: number | undefined }>(targets: readonly T[], shard: ShardSpec | undefined): T[] {
  if (!shard || shard.count <= 1) return [...targets];
  return targets.filter((t) => shardOf(t, shard.count) === shard.index);
}
