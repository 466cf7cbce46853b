/** The fault drills, in table order, each at a size: 'full' for `npm run drills`, 'short' for `npm run drills -- --short`. */
import { brokerCrashDrill } from './drills/broker-crash.js';
import { collectorRestartDrill } from './drills/collector-restart.js';
import { fuzzDrill } from './drills/fuzz.js';
import { handlerCrashDrill } from './drills/handler-crash.js';
import { routerRestartDrill } from './drills/router-restart.js';
import { scaleDrill } from './drills/scale.js';
import { slowConsumerDrill } from './drills/slow-consumer.js';
import { storeOutageDrill } from './drills/store-outage.js';
import { SIZES, type Size } from './sizes.js';
import type { DrillFaults } from './support/drill-faults.js';
import type { DrillResult } from './support/drill-result.js';

export interface Drill {
  id: number;
  name: string;
  /** `faults`: a broken variant's breaks (./broken.ts). */
  run(size: Size, faults?: DrillFaults): Promise<DrillResult>;
}

export const DRILLS: Drill[] = [
  { id: 1, name: 'broker crash', run: (s, f) => brokerCrashDrill(SIZES[s].brokerCrash, f) },
  { id: 2, name: 'handler crash', run: (s, f) => handlerCrashDrill(SIZES[s].handlerCrash, f) },
  { id: 3, name: 'collector restart', run: (s, f) => collectorRestartDrill(SIZES[s].collectorRestart, f) },
  { id: 4, name: 'router restart', run: (s, f) => routerRestartDrill(SIZES[s].routerRestart, f) },
  { id: 5, name: 'store outage', run: (s, f) => storeOutageDrill(SIZES[s].storeOutage, f) },
  { id: 6, name: 'slow consumer', run: (s, f) => slowConsumerDrill(SIZES[s].slowConsumer, f) },
  { id: 7, name: 'scale', run: (s, f) => scaleDrill(SIZES[s].scale, f) },
  { id: 8, name: 'fuzz', run: (s, f) => fuzzDrill(SIZES[s].fuzz, f) },
];
