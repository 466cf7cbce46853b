/**
 * The DynamoDB tables of schemas/tables as CDK constructs: the same definitions the local runtime creates in dynalite.
 * On-demand capacity, point-in-time recovery, TTL where the definition has one, encryption with the AWS managed key,
 * deletion protection and a retain policy (the index outlives a deleted stack unless removed on purpose).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { type Attribute, AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type KeyAttribute, TABLES, type TableDefinition, tableName } from '../../schemas/tables/index.js';

const attr = (k: KeyAttribute): Attribute => ({
  name: k.name,
  type: k.type === 'S' ? AttributeType.STRING : k.type === 'N' ? AttributeType.NUMBER : AttributeType.BINARY,
});

export class IndexTables extends Construct {
  readonly tables = new Map<string, TableV2>();

  constructor(scope: Construct, id: string, props: { prefix: string; defs?: readonly TableDefinition[]; removalPolicy?: RemovalPolicy }) {
    super(scope, id);
    for (const def of props.defs ?? TABLES) {
      const table = new TableV2(this, def.id, {
        tableName: tableName(def.id, props.prefix),
        partitionKey: attr(def.partitionKey),
        sortKey: def.sortKey ? attr(def.sortKey) : undefined,
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: def.ttlAttribute,
        encryption: TableEncryptionV2.awsManagedKey(),
        deletionProtection: true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        globalSecondaryIndexes: def.globalIndexes.map((g) => ({
          indexName: g.indexName,
          partitionKey: attr(g.partitionKey),
          sortKey: g.sortKey ? attr(g.sortKey) : undefined,
          projectionType: g.projection === 'ALL' ? ProjectionType.ALL : g.projection === 'KEYS_ONLY' ? ProjectionType.KEYS_ONLY : ProjectionType.INCLUDE,
          nonKeyAttributes: typeof g.projection === 'object' ? g.projection.include : undefined,
        })),
      });
      this.tables.set(def.id, table);
    }
  }
}
