/**
 * Node flags of the process that runs the local stack (`npm start`, `npm run demo`), which the stack benches and the
 * drills run with too (package.json's `drills` script spells them out: keep it in step).
 *
 * A larger young generation: the stack allocates short-lived objects per route event (decoded events, items, Kafka
 * messages), and V8's default 16 MB semi-space promotes many of them to the old generation before they die. In the
 * ingest bench (bench/stack-ingest.bench.ts) 64 MB cut the stack's CPU by ~14 %; 128 MB gave a median of 9,344 route
 * events/s over 3 runs against 8,476 over 5 with 64 MB (256 MB: no better, +150 MB RssAnon).
 */
export const STACK_NODE_FLAGS = ['--max-semi-space-size=128'];
