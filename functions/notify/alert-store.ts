/**
 * What the notifier reads from the index (it keeps no state of its own): the raise of an episode, whose labels its
 * clear must repeat, and the alerts still active, which Alertmanager sinks get again every re-send period.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AlertItem, keys } from '../../schemas/tables/index.js';
import type { AlertView } from './alert-view.js';

export interface AlertStore {
  /** The stored raise of the episode `v` belongs to (undefined when not found). */
  raiseOf(v: AlertView): Promise<AlertItem | undefined>;
  /** Alerts raised and not cleared (raised in this month or the `monthsBack` before it). */
  activeAlerts(nowMs: number): Promise<AlertItem[]>;
}

export function indexAlertStore(doc: DynamoDBDocumentClient, table: string, monthsBack = 2): AlertStore {
  return {
    async raiseOf(v) {
      // sk = `${raisedAt}#${type}#${subject}`: the subject starts with the MAC (then its VNI or EVI), or names the fabric.
      const subject = v.mac ? `${v.mac}#` : keys.fabricSubject(v.fabric);
      const res = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
          ExpressionAttributeValues: { ':p': keys.alertMonthPk(v.raisedAt.slice(0, 7)), ':s': `${v.raisedAt}#${v.kind}#${subject}` },
          ConsistentRead: true,
        }),
      );
      return ((res.Items ?? []) as AlertItem[]).find((it) => it.id === v.id);
    },
    async activeAlerts(nowMs) {
      const d = new Date(nowMs);
      const out: AlertItem[] = [];
      for (let i = monthsBack; i >= 0; i--) {
        const month = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - i, 1)).toISOString().slice(0, 7);
        let start: Record<string, unknown> | undefined;
        do {
          const res = await doc.send(
            new QueryCommand({
              TableName: table,
              KeyConditionExpression: 'pk = :p',
              FilterExpression: 'attribute_not_exists(clearedAt)',
              ExpressionAttributeValues: { ':p': keys.alertMonthPk(month) },
              ExclusiveStartKey: start,
            }),
          );
          out.push(...((res.Items ?? []) as AlertItem[]));
          start = res.LastEvaluatedKey;
        } while (start);
      }
      return out;
    },
  };
}
