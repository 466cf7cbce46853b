/**
 * A handler that decodes and groups a large batch (packed records: up to ~250,000 events per invocation locally) runs
 * for seconds without an await that reaches the event loop. Locally the same thread runs the Kafka consumers, whose
 * heartbeats then stop and whose group expels them. `turns()` gives the loop one turn once `everyMs` have passed.
 */
export function turns(everyMs = 10): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
