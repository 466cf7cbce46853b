/**
 * DynamoDB write units as AWS bills them, counted on the client for every written item (PutItem, UpdateItem,
 * DeleteItem, and each item of BatchWriteItem), with the item it replaces read first (through a client of its own,
 * uncounted). The rules, from the DynamoDB Developer Guide ("Item sizes and formats", "Read/write capacity mode",
 * "Provisioned throughput considerations for global secondary indexes"):
 *  - table: 1 write unit per started KB of the larger of the item before and after (a delete: the item deleted; at least 1);
 *  - each GSI: an index entry's size is its projected attributes (for KEYS_ONLY: the table and index keys) plus 100
 *    bytes; writing an item that enters or leaves the index writes or deletes one entry, one whose index key changes
 *    deletes the old and writes the new (2 writes), one whose key stays writes once if a projected attribute changed;
 *  - item size: attribute names plus values (strings UTF-8, numbers ~1 byte per 2 significant digits + 1, booleans
 *    and nulls 1, lists and maps 3 + 1 per element + contents).
 * Counted twice from the same writes: with the indexes as defined (`after`) and as they were, projecting ALL (`before`).
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { GlobalIndexDefinition } from '../schemas/tables/table-definition.js';

type Av = AttributeValue;
type Image = Record<string, Av>;

export function valueSize(v: Av): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.N !== undefined) {
    const digits = v.N.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((n, s) => n + valueSize({ N: s }), 0);
  return 0;
}

export const itemSize = (it: Image | undefined): number =>
  it ? Object.entries(it).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0) : 0;

const started = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export interface WriteUnits {
  /** Items written (each item of a batch counts). */
  items: number;
  /** Table write units. */
  table: number;
  /** Index write units with the projections as defined, and as if every index projected ALL. */
  indexAfter: number;
  indexBefore: number;
  /** Sum of written item sizes (bytes, the new image; a delete: the old). */
  bytes: number;
  /** Write units per table, indexes as defined. */
  byTable: Record<string, number>;
}

type Projection = GlobalIndexDefinition['projection'];

function indexWrites(gsi: GlobalIndexDefinition, projection: Projection, old: Image | undefined, next: Image | undefined): number {
  const keyNames = ['pk', 'sk', gsi.partitionKey.name, ...(gsi.sortKey ? [gsi.sortKey.name] : [])];
  const inIndex = (it: Image | undefined) =>
    it !== undefined && it[gsi.partitionKey.name] !== undefined && (!gsi.sortKey || it[gsi.sortKey.name] !== undefined);
  const projected = (it: Image): Image => {
    if (projection === 'ALL') return it;
    const names = projection === 'KEYS_ONLY' ? keyNames : [...keyNames, ...projection.include];
    return Object.fromEntries(names.filter((n) => it[n] !== undefined).map((n) => [n, it[n]!]));
  };
  const entry = (it: Image) => started(itemSize(projected(it)) + 100);
  const same = (a: Image, b: Image) => JSON.stringify(a) === JSON.stringify(b);
  const o = inIndex(old) ? old! : undefined;
  const n = inIndex(next) ? next! : undefined;
  if (!o && !n) return 0;
  if (!o) return entry(n!);
  if (!n) return entry(o);
  const key = (it: Image) => JSON.stringify([it[gsi.partitionKey.name], gsi.sortKey ? it[gsi.sortKey.name] : null]);
  if (key(o) !== key(n)) return entry(o) + entry(n);
  const po = projected(o);
  const pn = projected(n);
  const sorted = (x: Image) => Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)));
  return same(sorted(po), sorted(pn)) ? 0 : entry(n);
}

/**
 * Counts the write units of every write `client` sends to `tables` (name → its GSIs), reading the old item through
 * `reader` (a client without this middleware). Not for timing: each write costs an extra read.
 */
export function countWriteUnits(client: DynamoDBClient, reader: DynamoDBClient, tables: Record<string, GlobalIndexDefinition[]>) {
  const units: WriteUnits = { items: 0, table: 0, indexAfter: 0, indexBefore: 0, bytes: 0, byTable: {} };
  // Read from the serialized request (DynamoDB JSON), whatever marshalled it.
  const asImage = (x: unknown): Image => x as Image;
  async function one(table: string, key: Image, next: Image | undefined): Promise<void> {
    const gsis = tables[table];
    if (!gsis) return;
    const old = (await reader.send(new GetItemCommand({ TableName: table, Key: { pk: key.pk!, sk: key.sk! }, ConsistentRead: true }))).Item;
    units.items++;
    const base = started(Math.max(itemSize(old), itemSize(next)));
    units.table += base;
    units.bytes += itemSize(next ?? old);
    let index = 0;
    for (const g of gsis) {
      index += indexWrites(g, g.projection, old, next);
      units.indexBefore += indexWrites(g, 'ALL', old, next);
    }
    units.indexAfter += index;
    units.byTable[table] = (units.byTable[table] ?? 0) + base + index;
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? '');
      const body = (args as { request?: { body?: unknown } }).request?.body;
      const text =
        typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') : '{}';
      const input = JSON.parse(text) as Record<string, unknown>;
      if (name === 'PutItemCommand') {
        const item = asImage(input.Item);
        await one(String(input.TableName), item, item);
      } else if (name === 'DeleteItemCommand') {
        await one(String(input.TableName), asImage(input.Key), undefined);
      } else if (name === 'UpdateItemCommand') {
        // The new image is read after the update (updates here are counters and small registry items).
        const result = await next(args);
        const key = asImage(input.Key);
        const after = (await reader.send(new GetItemCommand({ TableName: String(input.TableName), Key: key, ConsistentRead: true }))).Item;
        const gsis = tables[String(input.TableName)];
        if (gsis) {
          units.items++;
          units.table += started(itemSize(after));
          units.bytes += itemSize(after);
          units.byTable[String(input.TableName)] = (units.byTable[String(input.TableName)] ?? 0) + started(itemSize(after));
        }
        return result;
      } else if (name === 'BatchWriteItemCommand') {
        for (const [table, reqs] of Object.entries(
          (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: unknown }; DeleteRequest?: { Key: unknown } }[]>,
        ))
          for (const r of reqs) {
            if (r.PutRequest) {
              const item = asImage(r.PutRequest.Item);
              await one(table, item, item);
            } else if (r.DeleteRequest) await one(table, asImage(r.DeleteRequest.Key), undefined);
          }
      }
      return next(args);
    },
    { step: 'build', name: 'benchWriteUnits' },
  );
  return units;
}
