/**
 * Opening an index written by an earlier version. Version 1 (no marker item) stored every MAC under `VNI#<vni>`,
 * where the "VNI" of an MPLS or SRv6 route was really its label (an MPLS label 24002 became VNI 384032). A stored
 * item does not say which encapsulation its routes had, so such items cannot be told from VXLAN ones and re-keyed.
 * Version 2 therefore drops what the route events built and the collector re-sends anyway: MAC items, IP bindings,
 * the per-fabric MAC counters and the VNI / VTEP registry. A restarted collector holds no routes, so every router's
 * reconnecting BMP session re-advertises its whole table, and the index is rebuilt with the new keys (VXLAN MACs under
 * the same `VNI#<vni>` as before, the others under `EVI#<route target>`). Move history, Ethernet-segment state, alerts
 * (MAC alerts still open are cleared: the items that would clear them are gone), moves per minute and the fabric list
 * are kept. A marker item records the version, so this runs once.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';
import { keys } from '../../schemas/tables/index.js';

/** 1: MACs keyed by the label's value whatever the encapsulation; 2: VNI for VXLAN, EVI route target otherwise. */
export const INDEX_SCHEMA_VERSION = 2;

export interface MigrationResult {
  from: number;
  to: number;
  deleted: number;
  alertsCleared: number;
}

/** Whether an item was built from route events under the version-1 meaning (and is rebuilt by the collector). */
function derivedFromRoutes(pk: string, sk: string): boolean {
  if (pk.startsWith('MAC#') || pk.startsWith('IP#') || pk.startsWith('DUPWATCH#')) return true;
  return pk.startsWith('FABRIC#') && (sk.startsWith('COUNT#') || sk.startsWith('VNI#') || sk.startsWith('VTEP#'));
}

export async function migrateIndex(doc: DynamoDBDocumentClient, table: string, log?: Logger, nowIso = new Date().toISOString()): Promise<MigrationResult> {
  const marker = await doc.send(new GetCommand({ TableName: table, Key: keys.indexVersion, ConsistentRead: true }));
  const from = Number(marker.Item?.version ?? 1);
  const result: MigrationResult = { from, to: INDEX_SCHEMA_VERSION, deleted: 0, alertsCleared: 0 };
  if (from >= INDEX_SCHEMA_VERSION) return result;

  let doomed: { pk: string; sk: string }[] = [];
  const flush = async () => {
    let requests = doomed.map((k) => ({ DeleteRequest: { Key: k } }));
    doomed = [];
    while (requests.length > 0) {
      const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (res.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: table, ProjectionExpression: 'pk, sk, mac, clearedAt', ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const it of (page.Items ?? []) as { pk: string; sk: string; mac?: string; clearedAt?: string }[]) {
      if (derivedFromRoutes(it.pk, it.sk)) {
        doomed.push({ pk: it.pk, sk: it.sk });
        result.deleted++;
        if (doomed.length === 25) await flush();
      } else if (it.pk.startsWith('ALERT#') && it.mac && !it.clearedAt) {
        await doc.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: it.pk, sk: it.sk },
            UpdateExpression: 'SET clearedAt = :c',
            ExpressionAttributeValues: { ':c': nowIso },
          }),
        );
        result.alertsCleared++;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  await flush();
  await doc.send(new PutCommand({ TableName: table, Item: { ...keys.indexVersion, version: INDEX_SCHEMA_VERSION, migratedAt: nowIso } }));
  if (result.deleted > 0 || result.alertsCleared > 0) {
    log?.warn(
      result,
      'index written by an earlier version: MAC items, IP bindings and fabric counters dropped, to be rebuilt from the routers’ re-sent tables',
    );
  }
  return result;
}
