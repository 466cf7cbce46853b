/** Drill sizes and timers: full (`npm run drills`) and short (`npm run drills -- --short`, in CI); DRILL_<NAME> environment variables override. */
const n = (name: string, dflt: number) => Number(process.env[`DRILL_${name}`] ?? dflt);

export type Size = 'full' | 'short' | 'broken';

const full = {
  brokerCrash: { routes: n('BROKER_CRASH_ROUTES', 100_000) },
  handlerCrash: { routes: n('HANDLER_CRASH_ROUTES', 100_000), failureRate: 0.01, batchSize: 10, eventsPerRecord: 50, seed: 14 },
  collectorRestart: { hosts: n('COLLECTOR_RESTART_HOSTS', 200), withdrawnWhileDown: 50, addedWhileDown: 20, resyncQuietSeconds: 3 },
  routerRestart: { hosts: n('ROUTER_RESTART_HOSTS', 200), withdrawnWhileDown: 50, resyncQuietSeconds: 5 },
  storeOutage: { routes: n('STORE_OUTAGE_ROUTES', 50_000), outageMs: n('STORE_OUTAGE_MS', 30_000) },
  slowConsumer: {
    macs: n('SLOW_CONSUMER_MACS', 20_000),
    overloadRate: n('SLOW_CONSUMER_RATE', 8_000),
    churnSeconds: n('SLOW_CONSUMER_SECONDS', 600),
    sustainRate: n('SLOW_CONSUMER_SUSTAIN_RATE', 500),
    latencySeconds: n('SLOW_CONSUMER_LATENCY_SECONDS', 60),
  },
  scale: { macs: n('SCALE_MACS', 1_000_000), fabrics: 10, apiClients: 32, apiSeconds: 30 },
  fuzz: { messages: n('FUZZ_MESSAGES', 1_000_000), sessions: 50, healthyRoutes: 10_000, seed: 8 },
};

const short = {
  brokerCrash: { routes: n('BROKER_CRASH_ROUTES', 3_000) },
  handlerCrash: { routes: n('HANDLER_CRASH_ROUTES', 3_000), failureRate: 0.01, batchSize: 4, eventsPerRecord: 10, seed: 14 },
  collectorRestart: { hosts: n('COLLECTOR_RESTART_HOSTS', 20), withdrawnWhileDown: 5, addedWhileDown: 3, resyncQuietSeconds: 2 },
  routerRestart: { hosts: n('ROUTER_RESTART_HOSTS', 20), withdrawnWhileDown: 5, resyncQuietSeconds: 3 },
  storeOutage: { routes: n('STORE_OUTAGE_ROUTES', 3_000), outageMs: n('STORE_OUTAGE_MS', 4_000) },
  slowConsumer: { macs: 500, overloadRate: n('SLOW_CONSUMER_RATE', 3_000), churnSeconds: n('SLOW_CONSUMER_SECONDS', 3), sustainRate: 100, latencySeconds: 4 },
  // Not in --short (the issue keeps it to npm run drills); `DRILLS_SIZE=short npm run drills -- 7` runs it small.
  scale: { macs: n('SCALE_MACS', 20_000), fabrics: 10, apiClients: 32, apiSeconds: 5 },
  fuzz: { messages: n('FUZZ_MESSAGES', 20_000), sessions: 10, healthyRoutes: 1_000, seed: 8 },
};

/** The broken variants (../broken.ts): short, the route flows smaller (a variant only has to lose an event and fail). */
const broken = {
  ...short,
  brokerCrash: { routes: 600 },
  handlerCrash: { ...short.handlerCrash, routes: 600 },
  storeOutage: { ...short.storeOutage, routes: 600 },
  scale: { macs: 2_000, fabrics: 10, apiClients: 4, apiSeconds: 2 },
  fuzz: { ...short.fuzz, messages: 5_000 },
};

export const SIZES = { full, short, broken };
