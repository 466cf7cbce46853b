/**
 * Run as a child process by bench/index-aws-model.bench.ts: dynalite, and in front of it a TCP proxy that holds every
 * chunk a client sends for `LATENCY_MS` before passing it on (the answer comes back at once), so each request pays
 * one added delay, as a round trip to DynamoDB would. In a process of its own so the bench's CPU figures are the
 * client's alone. Prints one JSON line ({ endpoint, direct }) when both listen; exits when its stdin closes.
 */
import { connect, createServer, type Socket } from 'node:net';
import { startDynalite } from '../infra/local/dynalite-store.js';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 5);
const db = await startDynalite();
const upstream = new URL(db.endpoint);

const proxy = createServer((client: Socket) => {
  const server = connect(Number(upstream.port), upstream.hostname);
  client.setNoDelay(true);
  server.setNoDelay(true);
  // Node's timers of one duration fire in the order they were set: the chunks reach dynalite in the order sent.
  client.on('data', (chunk) => setTimeout(() => server.writable && server.write(chunk), LATENCY_MS));
  server.pipe(client);
  const close = () => {
    client.destroy();
    server.destroy();
  };
  client.on('close', close).on('error', close);
  server.on('close', close).on('error', close);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const addr = proxy.address();
const port = typeof addr === 'object' && addr ? addr.port : 0;
process.stdout.write(`${JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, direct: db.endpoint })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
