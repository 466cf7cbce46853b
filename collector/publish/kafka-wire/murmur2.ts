/**
 * The Java client's default partitioner for keyed records: murmur2 (seed 0x9747b28c) of the key bytes, made positive,
 * modulo the partition count (org.apache.kafka.common.utils.Utils.murmur2, toPositive). Using the same function as the
 * Java client and kafkajs keeps one MAC on one partition whichever of them produced it.
 */
export function murmur2Ascii(key: string): number {
  const len = key.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ len) | 0;
  const len4 = len >>> 2;
  for (let i = 0; i < len4; i++) {
    const i4 = i << 2;
    let k = key.charCodeAt(i4) | (key.charCodeAt(i4 + 1) << 8) | (key.charCodeAt(i4 + 2) << 16) | (key.charCodeAt(i4 + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = len & 3;
  const base = len & ~3;
  if (rest === 3) h ^= key.charCodeAt(base + 2) << 16;
  if (rest >= 2) h ^= key.charCodeAt(base + 1) << 8;
  if (rest >= 1) {
    h ^= key.charCodeAt(base);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Partition of an ASCII key, as the Java client's BuiltInPartitioner picks it for a keyed record. */
export function partitionOfKey(key: string, partitions: number): number {
  return (murmur2Ascii(key) & 0x7fffffff) % partitions;
}
