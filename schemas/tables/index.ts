/** Every DynamoDB table of evpn-lens; the local runtime creates them and the CDK stacks declare them from this list. */
import { healthTable } from './health-table.js';
import { indexTable } from './index-table.js';
import type { TableDefinition } from './table-definition.js';

export * from './health-items.js';
export * from './health-table.js';
export * from './index-table.js';
export * from './items.js';
export * from './segment.js';
export * from './table-definition.js';

export const TABLES: readonly TableDefinition[] = [indexTable, healthTable];
export * from './route-index-items.js';
