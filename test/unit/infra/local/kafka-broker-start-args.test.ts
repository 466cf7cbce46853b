import { describe, expect, it } from 'vitest';
import { allocatePorts, bindFailure, kafkaClusterId, storageFormatArgs } from '../../../../infra/local/kafka-broker.js';

describe('kafka-broker kafkaClusterId', () => {
  it('draws again while the id starts with "-", as Kafka\'s Uuid.randomUuid does', () => {
    // 0xf8 0x00 … encodes to "-A…" in base64url: a flag to kafka-storage's parser.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0xfb), Buffer.from('00112233445566778899aabbccddeeff', 'hex')];
    let n = 0;
    const random = () => draws[n++]!;

    const id = kafkaClusterId(random);

    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
    expect(draws[1]!.toString('base64url').startsWith('-')).toBe(true);
    expect(n).toBe(3);
    expect(id).toBe('ABEiM0RVZneImaq7zN3u_w');
  });

  it("skips Kafka's reserved zero id", () => {
    const draws = [Buffer.alloc(16, 0), Buffer.alloc(16, 7)];
    let n = 0;

    const id = kafkaClusterId(() => draws[n++]!);

    expect(id).toBe(Buffer.alloc(16, 7).toString('base64url'));
  });

  it('gives 22 base64url characters that never start with "-" (10,000 draws)', () => {
    for (let i = 0; i < 10_000; i++) expect(kafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});

describe('kafka-broker storageFormatArgs', () => {
  it('passes an id that starts with "-" as one --cluster-id=ID word', () => {
    const args = storageFormatArgs('-AbCdEfGhIjKlMnOpQrStU', '/d/server.properties');

    expect(args).toEqual(['format', '--cluster-id=-AbCdEfGhIjKlMnOpQrStU', '-c', '/d/server.properties', '--standalone']);
  });
});

describe('kafka-broker allocatePorts', () => {
  it('returns distinct ports when the allocator hands out the same port twice', async () => {
    const given = [40569, 40569, 40570];
    const allocate = async () => given.shift()!;

    const ports = await allocatePorts(2, '127.0.0.1', allocate);

    expect(ports).toEqual([40569, 40570]);
  });

  it('gives up, naming the count, when the allocator only ever returns one port', async () => {
    await expect(allocatePorts(2, '127.0.0.1', async () => 40569)).rejects.toThrow('could not find 2 distinct free ports on 127.0.0.1');
  });
});

describe('kafka-broker bindFailure', () => {
  it('reads the address from the SocketServer error in the broker log', () => {
    const log =
      '[2026-12-07 05:01:02,003] ERROR [KafkaRaftServer nodeId=1] Fatal error during broker startup. Prepare to shutdown (kafka.server.BrokerServer)\norg.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:40569: Address already in use.';

    expect(bindFailure(log)).toBe('127.0.0.1:40569');
    expect(bindFailure('[..] INFO [BrokerServer id=1] Transition from STARTING to STARTED')).toBeUndefined();
  });
});
