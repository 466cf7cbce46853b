/** Every route event on a stack's evpn.routes.v1, read from the start to the current end: distinct and duplicated. */
import { Kafka, logLevel } from 'kafkajs';
import { RouteEventBatch } from '../../../schemas/events.js';
import { TOPICS } from '../../../schemas/topics.js';
import { eventId } from './delivery-count.js';
import { waitUntil } from './wait.js';

export async function routeEventsOnTopic(brokers: string[]): Promise<{ records: number; events: number; distinct: Set<number> }> {
  const kafka = new Kafka({ clientId: 'drill-count', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TOPICS.routes);
  await admin.disconnect();
  const target = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const reached = new Map<number, number>();
  const out = { records: 0, events: 0, distinct: new Set<number>() };
  const consumer = kafka.consumer({ groupId: `drill-count-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.routes, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        out.records++;
        for (const ev of RouteEventBatch.decode(m.value!).events) {
          out.events++;
          out.distinct.add(eventId(ev));
        }
        reached.set(batch.partition, Number(m.offset) + 1);
      }
    },
  });
  await waitUntil(() => [...target].every(([p, high]) => (reached.get(p) ?? 0) >= high), 'the routes topic read to its end', 300_000, 100);
  await consumer.disconnect();
  return out;
}
