/** Reads telemetry.vtep.v1 from the beginning: each record's VtepSampleBatch decoded into JSON samples, in order. */
import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { JSON_OPTIONS, VtepSample, VtepSampleBatch } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { kafkaClient, waitFor } from './env.js';

export type Sample = Record<string, any>;

export class VtepReader {
  readonly samples: Sample[] = [];
  private consumer: Consumer | undefined;

  async start(): Promise<void> {
    this.consumer = kafkaClient('vtep-reader').consumer({ groupId: `vtep-reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.vtepTelemetry, fromBeginning: true });
    let joined = false;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (joined = true));
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        for (const s of VtepSampleBatch.decode(message.value!).samples) {
          this.samples.push({ ...VtepSample.toObject(s as VtepSample, JSON_OPTIONS), _key: message.key?.toString(), _partition: partition });
        }
      },
    });
    await waitFor(() => joined || undefined, 'vtep reader joined');
  }

  of(device: string): Sample[] {
    return this.samples.filter((s) => s.device === device);
  }

  async waitFor(pred: (s: Sample) => boolean, what: string, timeoutMs = 30_000): Promise<Sample> {
    return waitFor(() => this.samples.find(pred), what, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
