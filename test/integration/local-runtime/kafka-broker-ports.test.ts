import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../infra/local/free-port.js';
import { type KafkaBroker, startKafka } from '../../../infra/local/kafka-broker.js';

// A real broker (its own, beside the run's shared one) started with port allocators that misbehave on purpose.
describe('startKafka ports', () => {
  const brokers: KafkaBroker[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const b of brokers.splice(0)) await b.stop();
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  const portOf = (b: KafkaBroker) => Number(b.brokers[0]!.split(':').pop());
  // Another program on the port: it takes connections and drops them at once.
  const squatter = () => createServer((s) => s.destroy());

  it('starts with distinct listener ports when the allocator returns the same port twice', async () => {
    const same = await freePort();
    const given = [same, same];
    const allocate = async (host: string) => given.shift() ?? freePort(host);

    const broker = await startKafka({ allocatePort: allocate, heap: '256m' });
    brokers.push(broker);

    expect(portOf(broker)).toBe(same);
    expect(broker.controllerPort).not.toBe(same);
  });

  it('starts again on other ports, naming the taken one, when a picked port is bound by someone else before the JVM binds it', async () => {
    // Another process takes the port between the allocation and the broker's bind (the race a closed probe socket leaves).
    const taken = squatter();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const given = [port];
    const allocate = async (host: string) => given.shift() ?? freePort(host);
    const lines: string[] = [];

    const broker = await startKafka({ allocatePort: allocate, heap: '256m', log: (l) => lines.push(l) });
    brokers.push(broker);

    expect(portOf(broker)).not.toBe(port);
    expect(broker.controllerPort).not.toBe(port);
    expect(portOf(broker)).not.toBe(broker.controllerPort);
    expect(lines.join('\n')).toContain(`could not listen on 127.0.0.1:${port}`);
  });

  it('names the port, without retrying, when given ports are taken', async () => {
    const taken = squatter();
    servers.push(taken);
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;

    const start = startKafka({ port, controllerPort: await freePort(), heap: '256m' });

    await expect(start).rejects.toThrow(`Kafka broker could not listen on 127.0.0.1:${port}: the port is in use`);
  });
});
