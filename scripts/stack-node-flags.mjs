/**
 * Node flags of the process that runs the local stack (`npm start`, `npm run demo`), which the stack benches and the
 * drills run with too (package.json's `drills` script spells them out: keep it in step).
 *
 * A larger young generation: the stack allocates short-lived objects per route event (decoded events, items, Kafka
 * messages), and V8's default 16 MB semi-space promotes many of them to the old generation before they die. In the
 * ingest bench (bench/stack-ingest.bench.ts) 64 MB cut the stack's CPU by ~14 %. 128 MB was faster still (median
 * 9,105 route events/s over 4 runs against 8,476 over 5), but its young generation took drill 6's anonymous memory
 * to 1,581 MB, past the 1.5 GB the drill allows (1,185 MB with 64 MB), so 64 it is.
 */
export const STACK_NODE_FLAGS = ['--max-semi-space-size=64'];
