/** Reads a topic from the beginning into decoded events, for assertions on what really reached Kafka. */
import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { JSON_OPTIONS, RouteEvent, RouteEventBatch, SessionEvent } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { kafkaClient, waitFor } from './env.js';

export type Json = Record<string, any>;

export class TopicReader {
  readonly events: Json[] = [];
  private consumer: Consumer | undefined;

  constructor(readonly topic: string) {}

  async start(): Promise<void> {
    const codec = this.topic === TOPICS.sessions ? SessionEvent : RouteEvent;
    this.consumer = kafkaClient('reader').consumer({ groupId: `reader-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    let joined = false;
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (joined = true));
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        // evpn.routes.v1 records are RouteEventBatch values: one entry per event, in order.
        const decoded = this.topic === TOPICS.routes ? RouteEventBatch.decode(message.value!).events : [SessionEvent.decode(message.value!)];
        for (const [index, d] of decoded.entries()) {
          const ev = (codec as typeof RouteEvent).toObject(d as RouteEvent, JSON_OPTIONS) as Json;
          this.events.push({ ...ev, _key: message.key?.toString(), _partition: partition, _offset: Number(message.offset), _index: index });
        }
      },
    });
    await waitFor(() => joined || undefined, 'reader joined');
  }

  where(pred: (e: Json) => boolean): Json[] {
    return this.events.filter(pred);
  }

  async waitFor(pred: (e: Json) => boolean, what: string, count = 1, timeoutMs = 30_000): Promise<Json[]> {
    return waitFor(
      () => {
        const hits = this.where(pred);
        return hits.length >= count ? hits : undefined;
      },
      what,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
