/**
 * gnmic's Kafka output as a telemetry input, through a real Kafka topic on the test broker: records as gnmic writes
 * them (test/fixtures/gnmic: built from gnmic's source, pkg/formatters/event.go and pkg/outputs; gnmic itself is not
 * available here) are produced to a topic of their own; the collector's gnmic input consumes them and publishes the
 * normalized samples to telemetry.vtep.v1, keyed by the device, where a consumer reads them like the gNMI client's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sequence } from '../../../collector/gnmi/gnmi-collector.js';
import { type GnmicInput, startGnmicInput } from '../../../collector/gnmi/gnmic/gnmic-input.js';
import { BUILTIN_RULES } from '../../../collector/gnmi/normalize/builtin-rules.js';
import { RuleTable } from '../../../collector/gnmi/normalize/rule-table.js';
import { createKafkaPublisher, type EventPublisher } from '../../../collector/index.js';
import { createCollectorMetrics } from '../../../collector/metrics.js';
import { brokers, createTopics, kafkaClient, uniqueName, waitFor } from '../support/env.js';
import { VtepReader } from '../support/vtep-reader.js';

const FIX = join(import.meta.dirname, '../../fixtures/gnmic');

describe('gnmic Kafka output → gnmic input → telemetry.vtep.v1', () => {
  const topic = uniqueName('gnmic-telemetry');
  const srl = uniqueName('leaf21');
  const oc = uniqueName('leaf22');
  const reader = new VtepReader();
  let publisher: EventPublisher;
  let input: GnmicInput;

  beforeAll(async () => {
    await createTopics([topic], 1);
    await reader.start();
    const logger = pino({ level: 'warn' });
    publisher = await createKafkaPublisher({ brokers: brokers(), metrics: createCollectorMetrics(new Registry()), lingerMs: 5, logger });
    input = await startGnmicInput({
      kafka: kafkaClient('gnmic-input'),
      topic,
      format: 'event',
      groupId: uniqueName('gnmic-input'),
      fabric: 'f-gnmic',
      devices: { 'leaf21:57400': { name: srl, vtep: '10.0.0.21' }, '10.1.0.22:6030': { name: oc } },
      listedOnly: true,
      refreshMs: { '*': 10_000 },
      publishUnmapped: false,
      publisher,
      table: new RuleTable(BUILTIN_RULES),
      logger,
      collectorId: 'it-gnmic',
      nextSeq: sequence(),
    });
  });

  afterAll(async () => {
    await input?.stop();
    await publisher?.close();
    await reader.stop();
  });

  it('publishes what gnmic recorded, normalized like the gNMI client, each device on one partition', async () => {
    const producer = kafkaClient('gnmic-fixture').producer();
    await producer.connect();
    // The input joins its group and reads from the latest offset: records are sent until the first comes through.
    const split = (JSON.parse(readFileSync(join(FIX, 'oc-split-records.json'), 'utf8')) as unknown[]).map((r) => ({ value: JSON.stringify(r) }));
    const records = [{ value: readFileSync(join(FIX, 'srl-event.json')) }, ...split, { value: readFileSync(join(FIX, 'oc-delete-event.json')) }];
    await waitFor(
      async () => {
        await producer.send({ topic, messages: records });
        return reader.of(oc).some((s) => s.kind === 'SAMPLE_KIND_DELETED') || undefined;
      },
      'the delete through',
      15_000,
      1_000,
    );
    await producer.disconnect();

    const mine = reader.of(srl);
    expect(mine.find((s) => s.name === 'total-decap-bytes')).toMatchObject({
      peer: '10.0.0.12',
      value: '18446744073709551615',
      fabric: 'f-gnmic',
      vtep: '10.0.0.21',
    });
    expect(mine.find((s) => s.name === 'mac-count' && !s.peer)).toMatchObject({ vni: 10100, value: '60', refreshIntervalMs: 10_000 });
    const ocs = reader.of(oc);
    expect(ocs.find((s) => s.name === 'total-encap-pkts')).toMatchObject({ peer: '10.0.0.11', value: '12', endpoint: 'nve1' });
    expect(ocs.find((s) => s.name === 'peer-state')).toMatchObject({ state: 'UP' });
    expect(ocs.find((s) => s.kind === 'SAMPLE_KIND_DELETED')).toMatchObject({ name: 'peer', peer: '10.0.0.11' });
    // Keyed by device as the gNMI client publishes (docs/telemetry-vtep.md): each device's samples on one partition
    // (a record holding several devices' samples has no key).
    expect(new Set(mine.map((x) => x._partition)).size).toBe(1);
    expect(new Set(ocs.map((x) => x._partition)).size).toBe(1);
    expect(input.stats.skipped).toBe(0);
  });
});
