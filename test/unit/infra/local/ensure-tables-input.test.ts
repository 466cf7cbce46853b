import { describe, expect, it } from 'vitest';
import { createTableInput } from '../../../../infra/local/ensure-tables.js';
import { TABLES, type TableDefinition } from '../../../../schemas/tables/index.js';

describe('ensure-tables createTableInput', () => {
  it('declares each key attribute once, across the table key and its indexes', () => {
    // Arrange
    const def: TableDefinition = {
      id: 'mac',
      description: 'test',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalIndexes: [
        { indexName: 'byVni', partitionKey: { name: 'vni', type: 'N' }, sortKey: { name: 'sk', type: 'S' }, projection: 'ALL' },
        { indexName: 'byVtep', partitionKey: { name: 'vtep', type: 'S' }, projection: { include: ['mac'] } },
      ],
    };

    // Act
    const input = createTableInput(def, 'dev-');

    // Assert
    expect(input.TableName).toBe('dev-mac');
    expect(input.BillingMode).toBe('PAY_PER_REQUEST');
    expect(input.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(input.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'vni', AttributeType: 'N' },
      { AttributeName: 'vtep', AttributeType: 'S' },
    ]);
    expect(input.GlobalSecondaryIndexes?.[1]).toEqual({
      IndexName: 'byVtep',
      KeySchema: [{ AttributeName: 'vtep', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['mac'] },
    });
  });

  it('omits GlobalSecondaryIndexes for a table without indexes (DynamoDB rejects an empty list)', () => {
    const input = createTableInput({ id: 'x', description: '', partitionKey: { name: 'pk', type: 'S' }, globalIndexes: [] }, '');

    expect(input.GlobalSecondaryIndexes).toBeUndefined();
  });

  it('builds a valid input for every table in schemas/tables', () => {
    for (const def of TABLES) {
      const input = createTableInput(def, 'p-');
      const declared = new Set(input.AttributeDefinitions!.map((a) => a.AttributeName));
      const used = [...input.KeySchema!, ...(input.GlobalSecondaryIndexes ?? []).flatMap((g) => g.KeySchema!)].map((k) => k.AttributeName);
      expect(new Set(used), def.id).toEqual(declared);
    }
  });
});
