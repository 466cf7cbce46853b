/**
 * "Identical index": every MAC (per segment) has the same current location (fabric, VTEP, VTEPs, ESI), IPs and alert
 * state in two indexes; times may differ. A MAC item without a location counts as absent (a withdrawn host).
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { MacItem } from '../../../schemas/tables/index.js';

export interface MacState {
  fabric: string;
  vtep: string;
  vteps: string[];
  esi: string;
  ips: string[];
  alerts: string[];
}

export type IndexSnapshot = Map<string, MacState>;

export async function snapshotIndex(doc: DynamoDBDocumentClient, table: string): Promise<IndexSnapshot> {
  const out: IndexSnapshot = new Map();
  let start: Record<string, unknown> | undefined;
  do {
    const res = await doc.send(
      new ScanCommand({ TableName: table, FilterExpression: 'begins_with(pk, :m)', ExpressionAttributeValues: { ':m': 'MAC#' }, ExclusiveStartKey: start }),
    );
    for (const it of (res.Items ?? []) as MacItem[]) {
      const alerts = Object.keys(it.activeAlerts ?? {}).sort();
      const l = it.location;
      if (!l && alerts.length === 0) continue;
      out.set(`${it.mac}|${it.sk}`, {
        fabric: l?.fabric ?? '',
        vtep: l?.vtep ?? '',
        vteps: [...(l?.vteps ?? [])].sort(),
        esi: l?.esi ?? '',
        ips: [...(l?.ips ?? [])].sort(),
        alerts,
      });
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return out;
}

export interface IndexDifference {
  key: string;
  expected: MacState | undefined;
  actual: MacState | undefined;
}

export function diffSnapshots(expected: IndexSnapshot, actual: IndexSnapshot): IndexDifference[] {
  const out: IndexDifference[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key);
    const a = actual.get(key);
    if (JSON.stringify(e) !== JSON.stringify(a)) out.push({ key, expected: e, actual: a });
  }
  return out.sort((x, y) => x.key.localeCompare(y.key));
}

/** A snapshot of what should be indexed, from (MAC, segment key, state) triples the drill knows. */
export function expectedSnapshot(entries: Iterable<[mac: string, segmentKey: string, state: MacState]>): IndexSnapshot {
  const out: IndexSnapshot = new Map();
  for (const [mac, sk, s] of entries) out.set(`${mac}|${sk}`, s);
  return out;
}

/** A short account of differences for logs and failures. */
export function describeDifferences(diffs: IndexDifference[], max = 5): string {
  return diffs
    .slice(0, max)
    .map((d) => `${d.key}: expected ${JSON.stringify(d.expected)} got ${JSON.stringify(d.actual)}`)
    .join('; ');
}
