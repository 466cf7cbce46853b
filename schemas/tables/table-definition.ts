/**
 * A DynamoDB table as both the local runtime (CreateTable against dynalite) and the CDK stacks (TableV2) build it.
 * Deliberately a plain data shape so neither side depends on the other's SDK.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

export interface GlobalIndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** ALL, KEYS_ONLY, or INCLUDE with these attributes. */
  projection: 'ALL' | 'KEYS_ONLY' | { include: string[] };
}

export interface TableDefinition {
  /** Logical id; the physical name is `${prefix}${id}`. */
  id: string;
  description: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: GlobalIndexDefinition[];
  /** TTL attribute (epoch seconds). dynalite has no TTL: the local runtime sweeps instead. */
  ttlAttribute?: string;
}

export function tableName(id: string, prefix: string): string {
  return `${prefix}${id}`;
}
