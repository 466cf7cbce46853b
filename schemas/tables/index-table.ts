/**
 * The evpn-lens index: one DynamoDB table holding every item kind (single-table design), see docs/table-design.md.
 *
 * | item         | pk                     | sk                                 | gsi1pk / gsi1sk (VNI → MACs)   | gsi2pk / gsi2sk (VTEP → MACs)  |
 * |--------------|------------------------|------------------------------------|--------------------------------|--------------------------------|
 * | MAC in a VNI | MAC#<mac>              | VNI#<vni>                          | VNI#<vni>#<shard> / <mac>      | VTEP#<vtep>#<shard> / <mac>#<vni> |
 * | MAC in an EVI| MAC#<mac>              | EVI#<rt>                           | EVI#<rt>#<shard> / <mac>       | VTEP#<vtep>#<shard> / <mac>#EVI#<rt> |
 * | IP binding   | IP#<ip>                | MAC#<mac>#VNI#<vni> (or #EVI#<rt>) |                                |                                |
 * | move history | HIST#<mac>             | <at ISO>#<vni> (or #EVI#<rt>)      |                                |                                |
 * | ES member    | ES#<esi>               | VTEP#<vtep>                        |                                |                                |
 * | alert        | ALERT#<yyyy-mm>        | <raisedAt ISO>#<type>#<subject>    |                                |                                |
 * | dup watch    | DUPWATCH#<shard>       | <mac>#<vni> (or #EVI#<rt>)         |                                |                                |
 * | router segment | ROUTER#<router>      | VNI#<vni> (or EVI#<rt>)            |                                |                                |
 * | router epoch | ROUTER#<router>        | EPOCH#<epoch, 20 digits>           |                                |                                |
 * | resync cursor| ROUTER#<router>        | RESYNC#<epoch, 20 digits>          |                                |                                |
 * | fabric count | FABRIC#<name>          | COUNT#<vni>#<shard>, COUNTEVI#<rt>#<shard> |                        |                                |
 * | fabric seen  | FABRIC#<name>          | VNI#<vni> / VTEP#<ip>              |                                |                                |
 * | moves/minute | FABRIC#<name>          | MOVES#<yyyy-mm-ddThh:mm>           |                                |                                |
 * | fabric list  | FABRICS                | <name>                             |                                |                                |
 * | layout       | META                   | INDEX_VERSION                      |                                |                                |
 *
 * A MAC is indexed per segment (segment.ts): its VNI, or for a route without a VNI (MPLS, SRv6) its EVI's route target.
 * VNI keys are what they always were, so items of earlier versions read unchanged.
 *
 * GSI partition keys carry a shard (0..15, from a hash of the MAC) so that one busy VNI or VTEP with a million MACs
 * spreads over 16 partitions; readers query all shards and merge.
 */
import { asSegment, type SegmentRef, segmentKey, segmentTail } from './segment.js';
import type { TableDefinition } from './table-definition.js';

export const INDEX_TABLE_ID = 'index';
export const GSI_SHARDS = 16;

export const indexTable: TableDefinition = {
  id: INDEX_TABLE_ID,
  description: 'MAC/VNI locations, IP bindings, move history, Ethernet segments, alerts and fabric counters',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  // KEYS_ONLY: a query of either index needs only the MACs' keys and reads the items from the table by key (a
  // consistent read); a MAC-item write then copies ~100 bytes into each index instead of the whole item
  // (docs/table-design.md: the write units, and the migration of a table deployed with ALL).
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: { name: 'gsi1pk', type: 'S' }, sortKey: { name: 'gsi1sk', type: 'S' }, projection: 'KEYS_ONLY' },
    { indexName: 'gsi2', partitionKey: { name: 'gsi2pk', type: 'S' }, sortKey: { name: 'gsi2sk', type: 'S' }, projection: 'KEYS_ONLY' },
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
  mac: (mac: string, s: SegmentRef) => ({ pk: `MAC#${mac}`, sk: segmentKey(s) }),
  macPk: (mac: string) => `MAC#${mac}`,
  /** gsi1: the MACs of a segment (`VNI#<vni>#<shard>` or `EVI#<rt>#<shard>`). */
  segmentGsi: (s: SegmentRef, mac: string) => ({ gsi1pk: `${segmentKey(s)}#${pad2(shardOf(mac))}`, gsi1sk: mac }),
  vniShardPk: (vni: number, shard: number) => `VNI#${vni}#${pad2(shard)}`,
  vtepGsi: (vtep: string, mac: string, s: SegmentRef) => ({ gsi2pk: `VTEP#${vtep}#${pad2(shardOf(mac))}`, gsi2sk: `${mac}#${segmentTail(s)}` }),
  vtepShardPk: (vtep: string, shard: number) => `VTEP#${vtep}#${pad2(shard)}`,
  ip: (ip: string, mac: string, s: SegmentRef) => ({ pk: `IP#${ip}`, sk: `MAC#${mac}#${segmentKey(s)}` }),
  ipPk: (ip: string) => `IP#${ip}`,
  history: (mac: string, atIso: string, s: SegmentRef) => ({ pk: `HIST#${mac}`, sk: `${atIso}#${segmentTail(s)}` }),
  historyPk: (mac: string) => `HIST#${mac}`,
  esMember: (esi: string, vtep: string) => ({ pk: `ES#${esi}`, sk: `VTEP#${vtep}` }),
  esPk: (esi: string) => `ES#${esi}`,
  /** An alert about a subject: `macSubject` (a MAC in a segment) or `fabricSubject` (a fabric). */
  alert: (raisedAtIso: string, type: string, subject: string) => ({
    pk: `ALERT#${raisedAtIso.slice(0, 7)}`,
    sk: `${raisedAtIso}#${type}#${subject}`,
  }),
  macSubject: (mac: string, s: SegmentRef) => `${mac}#${segmentTail(s)}`,
  fabricSubject: (fabric: string) => `fabric:${fabric}`,
  alertMonthPk: (yyyyMm: string) => `ALERT#${yyyyMm}`,
  dupWatch: (mac: string, s: SegmentRef) => ({ pk: `DUPWATCH#${pad2(shardOf(mac))}`, sk: `${mac}#${segmentTail(s)}` }),
  dupWatchPk: (shard: number) => `DUPWATCH#${pad2(shard)}`,
  /** A segment in which this router (address/BGP ID) reported MACs: where a completed resync looks (through gsi1). */
  routerSegment: (router: string, s: SegmentRef) => ({ pk: `ROUTER#${router}`, sk: segmentKey(s) }),
  routerPk: (router: string) => `ROUTER#${router}`,
  /** A session epoch this router's events were indexed in ('' = events without one): a resync scans only when older ones exist. */
  routerEpoch: (router: string, epoch: string) => ({ pk: `ROUTER#${router}`, sk: `EPOCH#${epoch.padStart(20, '0')}` }),
  /**
   * Where a RESYNC_COMPLETE sweep of this router for this epoch stopped (the sweep position of the last MAC it
   * finished): a sweep larger than one invocation resumes from it (functions/mac-index/handler.ts).
   */
  resyncCursor: (router: string, epoch: string) => ({ pk: `ROUTER#${router}`, sk: `RESYNC#${epoch.padStart(20, '0')}` }),
  segmentShardPk: (s: SegmentRef, shard: number) => `${segmentKey(s)}#${pad2(shard)}`,
  /** MACs per fabric and segment; an EVI's counter is kept apart so that it never counts as a VNI. */
  fabricCount: (fabric: string, ref: SegmentRef, shard: number) => {
    const s = asSegment(ref);
    return { pk: `FABRIC#${fabric}`, sk: s.evi ? `COUNTEVI#${s.evi}#${pad2(shard)}` : `COUNT#${s.vni}#${pad2(shard)}` };
  },
  fabricPk: (fabric: string) => `FABRIC#${fabric}`,
  fabricVni: (fabric: string, vni: number) => ({ pk: `FABRIC#${fabric}`, sk: `VNI#${vni}` }),
  fabricVtep: (fabric: string, vtep: string) => ({ pk: `FABRIC#${fabric}`, sk: `VTEP#${vtep}` }),
  fabricMoves: (fabric: string, minuteIso: string) => ({ pk: `FABRIC#${fabric}`, sk: `MOVES#${minuteIso.slice(0, 16)}` }),
  fabricList: (fabric: string) => ({ pk: 'FABRICS', sk: fabric }),
  fabricsPk: 'FABRICS',
  /** The index layout's version (functions/mac-index/index-migration.ts). */
  indexVersion: { pk: 'META', sk: 'INDEX_VERSION' },
} as const;
