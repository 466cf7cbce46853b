/**
 * The data layer of the AWS deployment: the index tables. The functions (MSK event source mappings), the API Gateway
 * HTTP API, MSK and the collector on Fargate behind an NLB are the AWS deployment issue's; they attach to this stack.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { IndexTables } from './index-tables.js';

export class EvpnLensDataStack extends Stack {
  readonly index: IndexTables;

  constructor(scope: Construct, id: string, props: StackProps & { tablePrefix?: string } = {}) {
    super(scope, id, props);
    this.index = new IndexTables(this, 'IndexTables', { prefix: props.tablePrefix ?? 'evpn-lens-' });
  }
}
