/** The fault drills, in table order, each at a size: 'full' for `npm run drills`, 'short' for `npm test`. */
import { brokerCrashDrill } from './drills/broker-crash.js';
import { collectorRestartDrill } from './drills/collector-restart.js';
import { fuzzDrill } from './drills/fuzz.js';
import { handlerCrashDrill } from './drills/handler-crash.js';
import { routerRestartDrill } from './drills/router-restart.js';
import { scaleDrill } from './drills/scale.js';
import { slowConsumerDrill } from './drills/slow-consumer.js';
import { storeOutageDrill } from './drills/store-outage.js';
import { SIZES, type Size } from './sizes.js';
import type { DrillResult } from './support/drill-result.js';

export interface Drill {
  id: number;
  name: string;
  run(size: Size): Promise<DrillResult>;
}

export const DRILLS: Drill[] = [
  { id: 1, name: 'broker crash', run: (s) => brokerCrashDrill(SIZES[s].brokerCrash) },
  { id: 2, name: 'handler crash', run: (s) => handlerCrashDrill(SIZES[s].handlerCrash) },
  { id: 3, name: 'collector restart', run: (s) => collectorRestartDrill(SIZES[s].collectorRestart) },
  { id: 4, name: 'router restart', run: (s) => routerRestartDrill(SIZES[s].routerRestart) },
  { id: 5, name: 'store outage', run: (s) => storeOutageDrill(SIZES[s].storeOutage) },
  { id: 6, name: 'slow consumer', run: (s) => slowConsumerDrill(SIZES[s].slowConsumer) },
  { id: 7, name: 'scale', run: (s) => scaleDrill(SIZES[s].scale) },
  { id: 8, name: 'fuzz', run: (s) => fuzzDrill(SIZES[s].fuzz) },
];
