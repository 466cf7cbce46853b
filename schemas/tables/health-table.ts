/**
 * The fabric-health table: what the health function (functions/health) knows about each fabric, see
 * docs/table-design.md. A table of its own, not more item kinds in the index: its items are written at telemetry
 * rates and mostly expire (minute buckets), it needs no secondary index, and its cost shows apart from the MAC index's.
 *
 * | item                 | pk                        | sk                                   |
 * |----------------------|---------------------------|--------------------------------------|
 * | fabric list          | FABRICS                   | <fabric>                             |
 * | status               | F#<fabric>                | STATUS                               |
 * | BMP router           | F#<fabric>                | ROUTER#<address>/<bgp id>            |
 * | BGP session          | F#<fabric>                | SESSION#<address>/<bgp id>#<peer>#<rd> |
 * | route counts         | F#<fabric>                | COUNT#<topic>-<partition>            |
 * | VTEP (from routes)   | F#<fabric>                | VTEP#<ip>                            |
 * | gNMI device          | F#<fabric>                | DEV#<device>                         |
 * | MAC alert (flapping) | F#<fabric>                | MACALERT#<type>#<mac>#<vni>          |
 * | minute history       | F#<fabric>#H              | <yyyy-mm-ddThh:mm>                   |
 * | device minute rates  | F#<fabric>#R#<shard 00-15>| <yyyy-mm-ddThh:mm>#<device>          |
 * | route presence       | RT#<fabric>#<route key>   | R                                    |
 * | counter bucket       | D#<fabric>#<device>       | <yyyy-mm-ddThh:mm> (device time)     |
 */
import { shardOf } from './index-table.js';
import type { TableDefinition } from './table-definition.js';

export const HEALTH_TABLE_ID = 'health';

export const healthTable: TableDefinition = {
  id: HEALTH_TABLE_ID,
  description: 'Fabric health: BMP routers and sessions, route presence and counts, VTEPs, gNMI counter buckets, minute history, status',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [],
  ttlAttribute: 'expiresAt',
};

/**
 * Device rate items are spread over this many partitions per fabric (by a hash of the device name): one item per
 * device and minute, so no item grows with the number of devices, and no partition takes every device's writes. The
 * fabric history reads them with one key query per shard (sort keys from the first minute asked), never a scan.
 */
export const RATE_SHARDS = 16;
const pad2 = (n: number) => String(n).padStart(2, '0');

/** A minute as a sort key: "2026-11-24T10:07" (UTC), from ms since the epoch. */
export function minuteOf(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16);
}

/** The start of a minute key, ms since the epoch. */
export function minuteMs(minute: string): number {
  return Date.parse(`${minute}:00.000Z`);
}

/**
 * The sort keys (or their prefixes) of the items under a fabric's `F#<fabric>` key: the writers build keys with
 * `healthKeys`, the readers pick item kinds out of one fabric query with these, so neither spells them again.
 */
export const HEALTH_SK = {
  status: 'STATUS',
  router: 'ROUTER#',
  session: 'SESSION#',
  count: 'COUNT#',
  vtep: 'VTEP#',
  device: 'DEV#',
  macAlert: 'MACALERT#',
} as const;

const fabricPk = (fabric: string) => `F#${fabric}`;

export const healthKeys = {
  fabricsPk: 'FABRICS',
  fabricList: (fabric: string) => ({ pk: 'FABRICS', sk: fabric }),
  fabricPk,
  status: (fabric: string) => ({ pk: fabricPk(fabric), sk: HEALTH_SK.status }),
  router: (fabric: string, router: string) => ({ pk: fabricPk(fabric), sk: `${HEALTH_SK.router}${router}` }),
  session: (fabric: string, router: string, peer: string, rd: string) => ({ pk: fabricPk(fabric), sk: `${HEALTH_SK.session}${router}#${peer}#${rd}` }),
  count: (fabric: string, source: string) => ({ pk: fabricPk(fabric), sk: `${HEALTH_SK.count}${source}` }),
  vtep: (fabric: string, vtep: string) => ({ pk: fabricPk(fabric), sk: `${HEALTH_SK.vtep}${vtep}` }),
  device: (fabric: string, device: string) => ({ pk: fabricPk(fabric), sk: `${HEALTH_SK.device}${device}` }),
  macAlert: (fabric: string, type: string, mac: string, vni: number) => ({ pk: fabricPk(fabric), sk: `${HEALTH_SK.macAlert}${type}#${mac}#${vni}` }),
  historyPk: (fabric: string) => `F#${fabric}#H`,
  ratesPk: (fabric: string, shard: number) => `F#${fabric}#R#${pad2(shard)}`,
  /** One device's rates of one minute (functions/health/telemetry.ts writes, health-reader.ts merges per minute). */
  rates: (fabric: string, device: string, minute: string) => ({ pk: `F#${fabric}#R#${pad2(shardOf(device) % RATE_SHARDS)}`, sk: `${minute}#${device}` }),
  history: (fabric: string, minute: string) => ({ pk: `F#${fabric}#H`, sk: minute }),
  route: (fabric: string, routeKey: string) => ({ pk: `RT#${fabric}#${routeKey}`, sk: 'R' }),
  bucketPk: (fabric: string, device: string) => `D#${fabric}#${device}`,
  bucket: (fabric: string, device: string, minute: string) => ({ pk: `D#${fabric}#${device}`, sk: minute }),
} as const;
