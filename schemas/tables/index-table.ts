/**
 * The evpn-lens index: one DynamoDB table holding every item kind (single-table design), see docs/table-design.md.
 *
 * | item         | pk                     | sk                                 | gsi1pk / gsi1sk (VNI → MACs)   | gsi2pk / gsi2sk (VTEP → MACs)  |
 * |--------------|------------------------|------------------------------------|--------------------------------|--------------------------------|
 * | MAC in a VNI | MAC#<mac>              | VNI#<vni>                          | VNI#<vni>#<shard> / <mac>      | VTEP#<vtep>#<shard> / <mac>#<vni> |
 * | IP binding   | IP#<ip>                | MAC#<mac>#VNI#<vni>                |                                |                                |
 * | move history | HIST#<mac>             | <at ISO>#<vni>                     |                                |                                |
 * | ES member    | ES#<esi>               | VTEP#<vtep>                        |                                |                                |
 * | alert        | ALERT#<yyyy-mm>        | <raisedAt ISO>#<type>#<subject>    |                                |                                |
 * | alert state  | ALERTSTATE#<type>      | <mac>#<vni>                        |                                |                                |
 * | dup watch    | DUPWATCH#<shard>       | <mac>#<vni>                        |                                |                                |
 * | fabric count | FABRIC#<name>          | COUNT#<vni>#<shard>                |                                |                                |
 * | fabric seen  | FABRIC#<name>          | VNI#<vni> / VTEP#<ip>              |                                |                                |
 * | moves/minute | FABRIC#<name>          | MOVES#<yyyy-mm-ddThh:mm>           |                                |                                |
 * | fabric list  | FABRICS                | <name>                             |                                |                                |
 *
 * GSI partition keys carry a shard (0..15, from a hash of the MAC) so that one busy VNI or VTEP with a million MACs
 * spreads over 16 partitions; readers query all shards and merge.
 */
import type { TableDefinition } from './table-definition.js';

export const INDEX_TABLE_ID = 'index';
export const GSI_SHARDS = 16;

export const indexTable: TableDefinition = {
  id: INDEX_TABLE_ID,
  description: 'MAC/VNI locations, IP bindings, move history, Ethernet segments, alerts and fabric counters',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' }, projection: 'ALL' },
    { indexName: 'gsi2', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' }, projection: 'ALL' },
  ],
  ttlAttribute: 'expiresAt',
};

/** FNV-1a over the MAC string: stable across runtimes, cheap. */
export function shardOf(mac: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < mac.length; i++) {
    h ^= mac.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % GSI_SHARDS;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export const keys = {
  mac: (mac: string, vni: number) => ({ pk: `MAC#${mac}`, sk: `VNI#${vni}` }),
  macPk: (mac: string) => `MAC#${mac}`,
  vniGsi: (vni: number, mac: string) => ({ gsi1pk: `VNI#${vni}#${pad2(shardOf(mac))}`, gsi1sk: mac }),
  vniShardPk: (vni: number, shard: number) => `VNI#${vni}#${pad2(shard)}`,
  vtepGsi: (vtep: string, mac: string, vni: number) => ({ gsi2pk: `VTEP#${vtep}#${pad2(shardOf(mac))}`, gsi2sk: `${mac}#${vni}` }),
  vtepShardPk: (vtep: string, shard: number) => `VTEP#${vtep}#${pad2(shard)}`,
  ip: (ip: string, mac: string, vni: number) => ({ pk: `IP#${ip}`, sk: `MAC#${mac}#VNI#${vni}` }),
  ipPk: (ip: string) => `IP#${ip}`,
  history: (mac: string, atIso: string, vni: number) => ({ pk: `HIST#${mac}`, sk: `${atIso}#${vni}` }),
  historyPk: (mac: string) => `HIST#${mac}`,
  esMember: (esi: string, vtep: string) => ({ pk: `ES#${esi}`, sk: `VTEP#${vtep}` }),
  esPk: (esi: string) => `ES#${esi}`,
  /** An alert about a subject: `macSubject` (a MAC in a VNI) or `fabricSubject` (a fabric). */
  alert: (raisedAtIso: string, type: string, subject: string) => ({
    pk: `ALERT#${raisedAtIso.slice(0, 7)}`,
    sk: `${raisedAtIso}#${type}#${subject}`,
  }),
  macSubject: (mac: string, vni: number) => `${mac}#${vni}`,
  fabricSubject: (fabric: string) => `fabric:${fabric}`,
  alertMonthPk: (yyyyMm: string) => `ALERT#${yyyyMm}`,
  alertState: (type: string, mac: string, vni: number) => ({ pk: `ALERTSTATE#${type}`, sk: `${mac}#${vni}` }),
  dupWatch: (mac: string, vni: number) => ({ pk: `DUPWATCH#${pad2(shardOf(mac))}`, sk: `${mac}#${vni}` }),
  dupWatchPk: (shard: number) => `DUPWATCH#${pad2(shard)}`,
  fabricCount: (fabric: string, vni: number, shard: number) => ({ pk: `FABRIC#${fabric}`, sk: `COUNT#${vni}#${pad2(shard)}` }),
  fabricPk: (fabric: string) => `FABRIC#${fabric}`,
  fabricVni: (fabric: string, vni: number) => ({ pk: `FABRIC#${fabric}`, sk: `VNI#${vni}` }),
  fabricVtep: (fabric: string, vtep: string) => ({ pk: `FABRIC#${fabric}`, sk: `VTEP#${vtep}` }),
  fabricMoves: (fabric: string, minuteIso: string) => ({ pk: `FABRIC#${fabric}`, sk: `MOVES#${minuteIso.slice(0, 16)}` }),
  fabricList: (fabric: string) => ({ pk: 'FABRICS', sk: fabric }),
  fabricsPk: 'FABRICS',
} as const;
