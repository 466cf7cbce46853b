/**
 * The store port: the one small interface through which every function reaches its tables, in the style of Jaeger's
 * storage plugins (one interface, an embedded adapter for one machine, a distributed one at scale, one conformance
 * suite: test/integration/store/store-contract.test.ts). Adapters: ./dynamodb-table-store.ts (AWS, any DynamoDB
 * endpoint) and infra/local/lmdb-table-store.ts (one machine).
 *
 * Semantics every adapter keeps (the contract suite checks them):
 *  - items are plain objects keyed by `pk` and `sk` (strings), built with the key builders in schemas/tables/;
 *  - reads are consistent on the table, eventually consistent on a secondary index (DynamoDB's rule);
 *  - a conditional write either applies whole or raises ConditionFailedError and changes nothing;
 *  - an item whose `expiresAt` (seconds since the epoch) has passed is never returned; `sweepExpired` deletes them;
 *  - a query returns items in sort-key order (the index's sort key on an index) one page at a time, with an opaque
 *    cursor to the next page; filters are done by the caller, in code.
 */

export type Key = { pk: string; sk: string };
export type Item = Key & Record<string, unknown>;

/**
 * One clause of a write condition. `notExists` of `pk` means "no such item"; `exists` of `pk` means "the item exists".
 * A condition is a list of clauses of which at least one must hold (an OR: every condition the functions need is one).
 */
export type Clause = { attr: string; op: 'exists' } | { attr: string; op: 'notExists' } | { attr: string; op: 'eq' | 'lt'; value: string | number };
export type Condition = readonly Clause[];

/** An in-place update (DynamoDB UpdateItem): creates the item when missing; `add` adds to numbers (missing = 0). */
export interface Update {
  set?: Record<string, unknown>;
  add?: Record<string, number>;
}

export interface QueryInput {
  /** A secondary index of the table (its definition names the key attributes), or the table itself. */
  index?: string;
  /** The partition key value (of the index when `index` is given). */
  pk: string;
  /** Sort keys starting with this. */
  prefix?: string;
  /** Sort keys from `from` (inclusive). */
  from?: string;
  /** Sort keys up to `to` (inclusive). */
  to?: string;
  /** Descending sort-key order. */
  desc?: boolean;
  /** Most items in one page (the adapter may return fewer: expired items are left out). */
  limit?: number;
  /** Where the previous page ended. */
  cursor?: string;
  /** false: an eventually consistent read will do (half the price on DynamoDB; the embedded store reads consistently anyway). */
  consistent?: boolean;
}

export type CountInput = Omit<QueryInput, 'desc' | 'limit' | 'cursor'>;

export interface Page<T> {
  items: T[];
  /** Present when more items may follow. */
  cursor?: string;
}

export interface TableStore {
  readonly name: string;
  /** The items that exist among `keys` (consistent reads; any order; duplicates read once). */
  batchGet<T extends Key = Item>(keys: readonly Key[]): Promise<T[]>;
  get<T extends Key = Item>(key: Key): Promise<T | undefined>;
  /** Writes the whole item; with a condition, only if it holds on the stored item (else ConditionFailedError). */
  put(item: Item, condition?: Condition): Promise<void>;
  update(key: Key, update: Update, condition?: Condition): Promise<void>;
  delete(key: Key, condition?: Condition): Promise<void>;
  /** Unconditional puts and deletes, in as few requests (or one transaction) as the adapter can. */
  batchWrite(writes: { put?: readonly Item[]; delete?: readonly Key[] }): Promise<void>;
  query<T extends Key = Item>(q: QueryInput): Promise<Page<T>>;
  /**
   * How many items a query would return over all its pages, without reading them (DynamoDB's Select COUNT; the
   * embedded store counts keys). An expired item not yet deleted is counted: use it for items that never expire.
   */
  count(q: CountInput): Promise<number>;
  /** Every item of the table, a page at a time (migrations, the expiry sweep). */
  scan(cursor?: string, limit?: number): Promise<Page<Item>>;
  /** Deletes the items whose `expiresAt` is at or before `nowSec`; returns how many. */
  sweepExpired(nowSec?: number): Promise<number>;
}

/** Opens the tables of one store (one per table definition id, named as the deployment names them). */
export interface StoreFactory {
  table(name: string): TableStore;
}

/** Whether an item's expiry time has passed (DynamoDB's TTL attribute: seconds since the epoch). */
export function expired(item: Record<string, unknown>, nowSec: number): boolean {
  const e = item.expiresAt;
  return typeof e === 'number' && e > 0 && e <= nowSec;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
