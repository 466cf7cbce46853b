/** Every DynamoDB table of evpn-lens; the local runtime creates them and the CDK stacks declare them from this list. */
import { indexTable } from './index-table.js';
import type { TableDefinition } from './table-definition.js';

export * from './index-table.js';
export * from './items.js';
export * from './table-definition.js';

export const TABLES: readonly TableDefinition[] = [indexTable];
