/**
 * Kafka's key partitioning: murmur2 (seed 0x9747b28c) of the key's UTF-8 bytes, made positive (& 0x7fffffff), modulo
 * the partition count: what the Java client's and kafkajs's default partitioners do, so an event lands where any
 * keyed producer would put it. kafkajs's own murmur2 does its 32-bit multiplications with Long objects and cost a
 * sixth of the collector's CPU; Math.imul gives the same 32-bit products (test/unit/collector/publish checks it
 * against kafkajs's partitioner).
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[tail]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const scratch = Buffer.allocUnsafe(1024);

/** The partition of a string key among `partitions`. */
export function partitionOfKey(key: string, partitions: number): number {
  // Keys are short (a MAC, a route key): encode into a reused buffer instead of allocating one per event.
  if (key.length * 3 <= scratch.length) {
    const n = scratch.write(key, 0, 'utf8');
    return (murmur2(scratch.subarray(0, n)) & 0x7fffffff) % partitions;
  }
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}
