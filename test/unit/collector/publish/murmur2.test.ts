import { createRequire } from 'node:module';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionOfKey } from '../../../../collector/publish/murmur2.js';

// kafkajs's own murmur2 (Long arithmetic): the reference the fast one must equal.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

describe('murmur2', () => {
  it('gives the Java client test vector', () => {
    expect(murmur2(Buffer.from('21'))).toBe(-973932308); // Apache Kafka UtilsTest.testMurmur2
  });

  it('equals kafkajs on every key length and content, including multi-byte UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (key) => {
        expect(murmur2(Buffer.from(key, 'utf8'))).toBe(kafkajsMurmur2(key));
      }),
      { numRuns: 5_000 },
    );
  });

  it('puts a MAC key on the partition kafkajs default partitioner picks, for any partition count', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const mac = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }).map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
    fc.assert(
      fc.property(mac, fc.integer({ min: 1, max: 200 }), (key, n) => {
        const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
        expect(partitionOfKey(key, n)).toBe(partitioner({ topic: 't', partitionMetadata, message: { key, value: null } }));
      }),
      { numRuns: 2_000 },
    );
  });

  it('handles keys longer than its scratch buffer', () => {
    const key = 'k'.repeat(5_000);
    expect(partitionOfKey(key, 7)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 7);
  });
});
