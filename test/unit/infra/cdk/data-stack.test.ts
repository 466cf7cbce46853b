import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { EvpnLensDataStack } from '../../../../infra/cdk/evpn-lens-data-stack.js';
import { TABLES } from '../../../../schemas/tables/index.js';
import { tempDir } from '../../../support/temp-dirs.js';

describe('EvpnLensDataStack', () => {
  const app = new App({ outdir: tempDir('cdk-') });
  const stack = new EvpnLensDataStack(app, 'Test', { tablePrefix: 'x-' });
  const template = Template.fromStack(stack);

  it('declares every table of schemas/tables with its keys, indexes and TTL', () => {
    for (const def of TABLES) {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `x-${def.id}`,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }, ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : [])],
        GlobalSecondaryIndexes: def.globalIndexes.length ? def.globalIndexes.map((g) => Match.objectLike({ IndexName: g.indexName })) : Match.absent(),
        TimeToLiveSpecification: def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : Match.absent(),
      });
    }
  });

  it('projects no secondary index ALL: every index write copies only what its queries read', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'));
    const gsis = tables.flatMap((t) => (t.Properties.GlobalSecondaryIndexes ?? []) as { IndexName: string; Projection: { ProjectionType: string } }[]);
    expect(gsis.length).toBeGreaterThan(0);
    for (const g of gsis) expect({ index: g.IndexName, projection: g.Projection.ProjectionType }).not.toEqual({ index: g.IndexName, projection: 'ALL' });
    expect(gsis.map((g) => g.Projection.ProjectionType)).toEqual(['KEYS_ONLY', 'KEYS_ONLY']);
  });

  it('passes the cdk-nag AWS Solutions checks without suppressions', () => {
    const nagged = new App({ outdir: tempDir('cdk-') });
    new EvpnLensDataStack(nagged, 'Nagged', { tablePrefix: 'x-' });
    Validations.of(nagged).addPlugins(new AwsSolutionsChecks(nagged));
    expect(() => nagged.synth()).not.toThrow();
  });
});
