/**
 * The embedded adapter of the store port (functions/shared/store/table-store.ts) for one machine: LMDB through the
 * `lmdb` package (its binary ships in the npm package). One environment under the data dir; per table one database
 * of items and one per secondary index, kept in step inside the same write transaction.
 *
 * Keys are bytes, `pk \0 sk` (UTF-8: byte order is DynamoDB's order of string keys), an index entry
 * `ipk \0 isk \0 pk \0 sk` → the item's key (the item is read from the table: an index copies no item).
 *
 * Writes are group-committed: a write checks its condition at once, against the stored item as the writes staged
 * before it left it (so a condition can never race another write: this thread is the only writer), stages the result,
 * and resolves only when the one LMDB write transaction that carries every write staged in that event-loop turn has
 * committed (its items and their index entries). A commit costs about as much for one item as for a hundred, and the
 * handlers keep dozens of writes in flight (a pool of MAC groups, both consumers), so this is what lets one thread keep
 * up with the collector. A failed commit rejects every write it carried and drops them all: none was acknowledged.
 * Reads wait for the staged writes' commit (read committed; read-your-writes for whoever awaited a write).
 * The environment runs with `noSync`: a commit is in the OS page cache
 * when it returns, so a crash of the process loses nothing; a crash of the machine can lose the last commits before
 * the OS writes them back (the periodic `flush` bounds that to `syncMs`). LMDB's file pages are memory-mapped: they
 * count as the process's RssFile, not RssAnon.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';
import { applyUpdate, holds } from '../../functions/shared/store/conditions.js';
import { ConditionFailedError, InvalidCursorError, KeyTooLongError, StoreUnavailableError } from '../../functions/shared/store/store-errors.js';
import {
  type Condition,
  type CountInput,
  expired,
  type Item,
  type Key,
  nowSeconds,
  type Page,
  type QueryInput,
  type StoreFactory,
  type TableStore,
  type Update,
} from '../../functions/shared/store/table-store.js';
import type { TableDefinition } from '../../schemas/tables/table-definition.js';
import { EncodedItem, itemCodec } from './item-codec.js';

const SEP = 0x00;
/** LMDB's largest key (lmdb's build): a longer one fails the whole transaction it is in, so it is refused when staged. */
const MAX_KEY_BYTES = 1978;
const HIGH = 0xff; // never in UTF-8: past every key with this prefix

const enc = (s: string) => Buffer.from(s, 'utf8');
const join0 = (...parts: string[]) => enc(parts.join('\u0000'));
const withByte = (b: Buffer, byte: number) => Buffer.concat([b, Buffer.of(byte)]);

/** Whether a value holds an undefined attribute at some depth (most items hold none: they are stored as they are). */
function hasUndefined(v: unknown): boolean {
  if (Array.isArray(v)) return v.some((x) => x === undefined || hasUndefined(x));
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined || (typeof x === 'object' && x !== null && hasUndefined(x))) return true;
    }
  }
  return false;
}

/**
 * Removes undefined attributes, at every depth (what the DynamoDB adapter's `removeUndefinedValues` does). An item
 * without any is returned as it is, not copied: what the commit stores is encoded when the write is staged.
 */
function clean<T>(v: T): T {
  return hasUndefined(v) ? strip(v) : v;
}

function strip<T>(v: T): T {
  // In lists too (DynamoDB's marshalling drops them there as well; JSON would turn them into null).
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(strip) as T;
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = strip(x);
    return out as T;
  }
  return v;
}

export interface LmdbStoreOptions {
  /** Directory of the environment (created when missing). */
  path: string;
  /** How often the OS is told to write committed pages back (ms; 0: never beyond the OS's own). */
  syncMs?: number;
  clock?: () => number;
  /** How many databases the environment may hold (each table takes one, plus one per secondary index). */
  maxDbs?: number;
}

/** One LMDB environment holding the tables of a stack. */
export class LmdbStore implements StoreFactory {
  readonly root: RootDatabase;
  private readonly tables = new Map<string, LmdbTableStore>();
  private refuseUntil = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  /** Writes staged for the next group commit, in order, and what each left its key as (`null`: deleted). */
  private staged: Staged[] = [];
  private readonly overlay = new Map<string, Item | null>();
  private commit: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;
  /** Group commits so far, and the writes they carried (the bench reports writes per commit). */
  readonly commits = { transactions: 0, writes: 0 };

  constructor(private readonly opts: LmdbStoreOptions) {
    mkdirSync(opts.path, { recursive: true });
    this.root = open({ path: opts.path, noSync: true, maxDbs: opts.maxDbs ?? 64, mapSize: 2 ** 34, keyEncoding: 'binary' });
    const syncMs = opts.syncMs ?? 1000;
    if (syncMs > 0) {
      this.timer = setInterval(() => void this.flush(), syncMs);
      this.timer.unref();
    }
  }

  table(name: string, def?: Pick<TableDefinition, 'globalIndexes'>): LmdbTableStore {
    let t = this.tables.get(name);
    if (!t) {
      t = new LmdbTableStore(this, name, def ?? { globalIndexes: [] }, this.opts.clock ?? nowSeconds);
      this.tables.set(name, t);
    }
    return t;
  }

  /** The drill's store outage: every operation fails for `ms`. */
  refuseFor(ms: number): void {
    this.refuseUntil = Date.now() + ms;
  }

  /**
   * Every operation of this store completes synchronously, so a handler awaiting thousands of them in a row would
   * never give the event loop a turn: the consumers' heartbeats would stop and the broker would take their partitions
   * away. An operation yields one turn (setImmediate) once 10 ms have passed since the last.
   */
  async pace(): Promise<void> {
    const now = performance.now();
    if (now - this.lastTurn < 10) return;
    await new Promise((r) => setImmediate(r));
    this.lastTurn = performance.now();
  }
  private lastTurn = performance.now();

  /** What is wrong, for /readyz (undefined: serving). */
  problem(): string | undefined {
    return Date.now() < this.refuseUntil ? 'embedded store unavailable (outage drill)' : undefined;
  }

  /** @internal */
  check(): void {
    if (Date.now() < this.refuseUntil) throw new StoreUnavailableError('store unavailable (outage drill)');
  }

  /** @internal What the writes staged so far left this key as: an item, `null` (deleted), or undefined (none staged). */
  stagedItem(table: string, k: Buffer): Item | null | undefined {
    return this.staged.length === 0 ? undefined : this.overlay.get(`${table}\u0001${k.toString('latin1')}`);
  }

  /** @internal Stages one write of the next group commit; resolves when it has committed. */
  stage(w: Staged): Promise<void> {
    w.table.checkKeys(w);
    w.table.forgetRead(w.k);
    if (w.item) w.encoded = new EncodedItem(JSON.stringify(w.item));
    this.staged.push(w);
    this.overlay.set(`${w.table.name}\u0001${w.k.toString('latin1')}`, w.item ?? null);
    if (!this.commit) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.commit = { promise, resolve, reject };
      // After this turn's microtasks and I/O callbacks: every write staged by then shares the transaction.
      setImmediate(() => this.commitStaged());
    }
    return this.commit.promise;
  }

  /** @internal Resolves once the writes staged so far have committed or failed (reads wait for it: read committed). */
  settled(): Promise<void> | undefined {
    return this.commit?.promise.then(
      () => undefined,
      () => undefined,
    );
  }

  private commitStaged(): void {
    const batch = this.staged;
    const commit = this.commit;
    this.staged = [];
    this.overlay.clear();
    this.commit = undefined;
    if (!commit) return;
    try {
      this.root.transactionSync(() => {
        for (const w of batch) w.table.apply(w.key, w.item, w.stored, w.encoded);
      });
      this.commits.transactions++;
      this.commits.writes += batch.length;
      commit.resolve();
    } catch (err) {
      commit.reject(new StoreUnavailableError(`embedded store: a commit of ${batch.length} writes failed`, { cause: err }));
    }
  }

  /** Writes committed pages back to disk (a noSync environment otherwise leaves that to the OS). */
  flush(): Promise<void> {
    // lmdb's root database has sync(cb) (mdb_env_sync, off the main thread); its typings do not name it.
    return new Promise((resolve) => {
      try {
        (this.root as unknown as { sync(cb: (err?: unknown) => void): void }).sync(() => resolve());
      } catch {
        resolve(); // closed meanwhile
      }
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.settled();
    await this.flush();
    await this.root.close();
  }

  /** Bytes the environment's data file spans. */
  stat(): { entries: number; mapSize: number } {
    const s = this.root.getStats() as { entryCount?: number; mapSize?: number };
    return { entries: s.entryCount ?? 0, mapSize: s.mapSize ?? 0 };
  }
}

/** One staged write: the item a key is left as (undefined: deleted); `stored`, what it replaces when known. */
interface Staged {
  table: LmdbTableStore;
  key: Key;
  k: Buffer;
  item: Item | undefined;
  /** The item as the commit stores it (encoded when staged). */
  encoded?: EncodedItem;
  stored: Item | undefined | typeof UNREAD;
}

/** Keys whose last read is kept for the write that follows (LmdbTableStore.lastRead): a batch's worth many times over. */
const LAST_READ_MAX = 100_000;

/** `stored` of a staged write that did not read its item: the commit reads it (for the index entries). */
const UNREAD = Symbol('unread');

interface IndexDb {
  name: string;
  pkAttr: string;
  skAttr: string;
  /** The attributes a query of the index returns (DynamoDB's projection): undefined = ALL. */
  projected?: string[];
  db: Database<Buffer, Buffer>;
}

/** An item as a query of this index returns it: the table's and the index's keys, and what the projection includes. */
function project<T>(item: T, index: IndexDb): T {
  if (!index.projected) return item;
  const out: Record<string, unknown> = {};
  for (const a of index.projected) if ((item as Record<string, unknown>)[a] !== undefined) out[a] = (item as Record<string, unknown>)[a];
  return out as T;
}

export class LmdbTableStore implements TableStore {
  private readonly items: Database<Item, Buffer>;
  private readonly indexes: IndexDb[];
  /**
   * The items batchGet and get returned, as top-level copies, by key, for a conditional put or delete of the same key
   * that usually follows (read, compute, write back if unchanged): the write checks its condition and finds the old
   * index keys on the copy instead of reading and decoding the item again (a MAC item: ~8 µs, once per event). Only
   * top-level attributes are read from a copy (conditions and index keys are top-level), so a caller changing what it
   * was given cannot change it. A key leaves the map when any write to it is staged, and is only put in when none is
   * pending (a read is of committed items: one staged before it would be missing), so an entry is what is committed.
   */
  private readonly lastRead = new Map<string, Item>();

  constructor(
    private readonly env: LmdbStore,
    readonly name: string,
    def: Pick<TableDefinition, 'globalIndexes'>,
    private readonly clock: () => number,
  ) {
    // Items as JSON (./item-codec.ts); values written as msgpack before are read through a msgpack handle of the database.
    // (lmdb's typings name `encoder` on a database, not among its options: it takes one all the same.)
    const legacy = env.root.openDB<Item, Buffer>({ name, keyEncoding: 'binary', encoding: 'msgpack' }) as unknown as {
      decoder: { decode(b: Uint8Array): unknown };
    };
    const encoder = itemCodec((b) => legacy.decoder.decode(b));
    this.items = env.root.openDB<Item, Buffer>({ name, keyEncoding: 'binary', ...({ encoder } as object) });
    this.indexes = def.globalIndexes.map((g) => ({
      name: g.indexName,
      pkAttr: g.partitionKey.name,
      skAttr: g.sortKey?.name ?? '',
      ...(g.projection === 'ALL'
        ? {}
        : {
            projected: ['pk', 'sk', g.partitionKey.name, ...(g.sortKey ? [g.sortKey.name] : []), ...(g.projection === 'KEYS_ONLY' ? [] : g.projection.include)],
          }),
      db: env.root.openDB<Buffer, Buffer>({ name: `${name}/${g.indexName}`, keyEncoding: 'binary', encoding: 'binary' }),
    }));
  }

  async batchGet<T extends Key = Item>(keys: readonly Key[]): Promise<T[]> {
    await this.beforeRead();
    const now = this.clock();
    const seen = new Set<string>();
    const out: T[] = [];
    for (const k of keys) {
      const id = `${k.pk}\u0000${k.sk}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const at = enc(id);
      const it = this.items.get(at) as T | undefined;
      if (it && !expired(it, now)) {
        out.push(it);
        this.rememberRead(at, it);
      }
      // A read of hundreds of thousands of keys is seconds of synchronous work: the event loop gets its turns meanwhile
      // (read committed still: a write staged during a turn is not committed, and an awaited one is).
      if ((seen.size & 255) === 0) await this.env.pace();
    }
    return out;
  }

  async get<T extends Key = Item>(key: Key): Promise<T | undefined> {
    await this.beforeRead();
    const k = join0(key.pk, key.sk);
    const it = this.items.get(k) as T | undefined;
    if (!it || expired(it, this.clock())) return undefined;
    this.rememberRead(k, it);
    return it;
  }

  private rememberRead(k: Buffer, it: Item): void {
    if (this.env.stagedItem(this.name, k) !== undefined) return;
    if (this.lastRead.size >= LAST_READ_MAX) this.lastRead.clear(); // reads the API makes are never written back
    this.lastRead.set(k.toString('latin1'), { ...it });
  }

  /** @internal A write to this key is staged: what was read of it is no longer what is committed. */
  forgetRead(k: Buffer): void {
    if (this.lastRead.size > 0) this.lastRead.delete(k.toString('latin1'));
  }

  put(item: Item, condition?: Condition): Promise<void> {
    return this.write(item, true, (stored) => {
      if (!holds(condition, stored, this.clock())) throw new ConditionFailedError(`${this.name}: condition failed on ${item.pk} ${item.sk}`);
      return clean(item);
    });
  }

  update(key: Key, update: Update, condition?: Condition): Promise<void> {
    // The whole item is built on: read as committed, never from a top-level copy.
    return this.write(key, false, (stored) => {
      if (!holds(condition, stored, this.clock())) throw new ConditionFailedError(`${this.name}: condition failed on ${key.pk} ${key.sk}`);
      return applyUpdate(stored, { pk: key.pk, sk: key.sk }, update);
    });
  }

  delete(key: Key, condition?: Condition): Promise<void> {
    return this.write(key, true, (stored) => {
      if (!holds(condition, stored, this.clock())) throw new ConditionFailedError(`${this.name}: condition failed on ${key.pk} ${key.sk}`);
      return undefined;
    });
  }

  async batchWrite(writes: { put?: readonly Item[]; delete?: readonly Key[] }): Promise<void> {
    this.env.check();
    // Unconditional: nothing to read now (the commit reads what an index entry needs). Deletes first, as before. Every
    // key is checked before any is staged: a request with one bad key is refused whole, as DynamoDB's is.
    const ws: Staged[] = [];
    for (const k of writes.delete ?? []) ws.push({ table: this, key: { pk: k.pk, sk: k.sk }, k: join0(k.pk, k.sk), item: undefined, stored: UNREAD });
    for (const it of writes.put ?? []) {
      const item = clean(it);
      ws.push({ table: this, key: { pk: item.pk, sk: item.sk }, k: join0(item.pk, item.sk), item, stored: UNREAD });
    }
    for (const w of ws) this.checkKeys(w);
    const staged = ws.map((w) => this.env.stage(w));
    // One commit carries them all (staged in one turn): its promise is the same for each.
    if (staged.length > 0) await staged[staged.length - 1];
  }

  /** [lo, hi): the keys of the query's partition, or of its sort-key range, in the table or the index it names. */
  private rangeOf(q: CountInput) {
    const index = q.index === undefined ? undefined : this.index(q.index);
    const db: Database<unknown, Buffer> = index ? index.db : this.items;
    const base = enc(q.pk);
    const part = withByte(base, SEP);
    let lo = part;
    let hi = withByte(base, SEP + 1);
    if (q.prefix !== undefined) {
      lo = Buffer.concat([part, enc(q.prefix)]);
      hi = withByte(lo, HIGH);
    } else {
      if (q.from !== undefined) lo = Buffer.concat([part, enc(q.from)]);
      // Inclusive `to`: every key whose sort key is `to` continues with \0 (an index key) or ends there.
      if (q.to !== undefined) hi = withByte(Buffer.concat([part, enc(q.to)]), SEP + 1);
    }
    return { index, db, part, lo, hi };
  }

  async count(q: CountInput): Promise<number> {
    await this.beforeRead();
    const { db, lo, hi } = this.rangeOf(q);
    // Keys only: no value is read or decoded.
    return db.getKeysCount({ start: lo, end: hi });
  }

  async query<T extends Key = Item>(q: QueryInput): Promise<Page<T>> {
    await this.beforeRead();
    const now = this.clock();
    const { index, db, part, lo, hi } = this.rangeOf(q);
    const after = q.cursor ? Buffer.from(q.cursor, 'base64url') : undefined;
    // A cursor is the last key of a page of this partition: anything else was not issued for this query.
    if (after && (after.length <= part.length || !after.subarray(0, part.length).equals(part))) throw new InvalidCursorError('not a cursor of this query');
    const limit = q.limit ?? 1000;
    const items: T[] = [];
    let last: Buffer | undefined;
    let more = false;
    const range = q.desc
      ? db.getRange({ start: after ?? hi, reverse: true }) // no end: lmdb's end is exclusive, and lo is in the range
      : db.getRange({ start: after ? withByte(after, SEP) : lo, end: hi });
    for (const { key, value } of range) {
      if (q.desc && (key.compare(hi) >= 0 || (after && key.compare(after) >= 0))) continue; // reverse starts at or past the bound
      if (q.desc && key.compare(lo) < 0) break;
      if (items.length >= limit) {
        more = true;
        break;
      }
      last = key;
      const item = (index ? this.items.get(value as Buffer) : value) as T | undefined;
      if (item && !expired(item, now)) items.push(index ? project(item, index) : item);
    }
    return { items, ...(more && last ? { cursor: last.toString('base64url') } : {}) };
  }

  async scan(cursor?: string, limit = 1000): Promise<Page<Item>> {
    await this.beforeRead();
    const now = this.clock();
    const items: Item[] = [];
    let last: Buffer | undefined;
    let more = false;
    const start = cursor ? withByte(Buffer.from(cursor, 'base64url'), SEP) : undefined;
    for (const { key, value } of this.items.getRange(start ? { start } : {})) {
      if (items.length >= limit) {
        more = true;
        break;
      }
      last = key;
      if (!expired(value, now)) items.push(value);
    }
    return { items, ...(more && last ? { cursor: last.toString('base64url') } : {}) };
  }

  async sweepExpired(nowSec = this.clock()): Promise<number> {
    await this.beforeRead();
    // In pages, with event-loop turns between them: a table of a million items is seconds of reading.
    const doomed: Item[] = [];
    let after: Buffer | undefined;
    for (;;) {
      let n = 0;
      for (const { key, value } of this.items.getRange({ ...(after ? { start: withByte(after, SEP) } : {}), limit: 1000 })) {
        n++;
        after = key;
        if (expired(value, nowSec)) doomed.push(value);
      }
      if (n < 1000) break;
      await this.env.pace();
    }
    // Staged in chunks (one commit each), each delete checking the item is still expired (it may have been written
    // again since, or be staged to be).
    let deleted = 0;
    for (let i = 0; i < doomed.length; i += 500) {
      let last: Promise<void> | undefined;
      for (const d of doomed.slice(i, i + 500)) {
        const k = join0(d.pk, d.sk);
        const staged = this.env.stagedItem(this.name, k);
        const stored = staged === undefined ? this.items.get(k) : (staged ?? undefined);
        if (!stored || !expired(stored, nowSec)) continue;
        last = this.env.stage({ table: this, key: { pk: d.pk, sk: d.sk }, k, item: undefined, stored });
        deleted++;
      }
      if (last) await last;
    }
    return deleted;
  }

  /** Every item, for tests and the contract suite. */
  itemCount(): number {
    return this.items.getCount();
  }

  private index(name: string): IndexDb {
    const i = this.indexes.find((x) => x.name === name);
    if (!i) throw new Error(`table ${this.name} has no index ${name}`);
    return i;
  }

  /** Reads see committed writes only: they wait for the staged ones' commit. */
  private async beforeRead(): Promise<void> {
    this.env.check();
    const pending = this.env.settled();
    if (pending) await pending;
    await this.env.pace();
  }

  /**
   * A conditional write: reads the item as committed and staged so far, checks and computes at once (synchronously:
   * no other write can come between), stages the result; resolves when its group commit has committed.
   */
  private write(key: Key, topLevelWillDo: boolean, next: (stored: Item | undefined) => Item | undefined): Promise<void> {
    try {
      this.env.check();
      const k = join0(key.pk, key.sk);
      const staged = this.env.stagedItem(this.name, k);
      const read = staged === undefined && topLevelWillDo ? this.lastRead.get(k.toString('latin1')) : undefined;
      const stored = staged === undefined ? (read ?? this.items.get(k)) : (staged ?? undefined);
      const item = next(stored);
      return this.env.stage({ table: this, key: { pk: key.pk, sk: key.sk }, k, item, stored });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** @internal Refuses a write whose key, or an index key of its item, LMDB cannot hold (before anything is staged). */
  checkKeys(w: Pick<Staged, 'k' | 'item' | 'key'>): void {
    const long = w.k.length > MAX_KEY_BYTES ? 'key' : this.indexes.find((ix) => (indexKey(ix, w.item)?.length ?? 0) > MAX_KEY_BYTES)?.name;
    if (long)
      throw new KeyTooLongError(
        `${this.name}: the ${long === 'key' ? 'key' : `${long} key`} of ${w.key.pk.slice(0, 40)}… is longer than ${MAX_KEY_BYTES} bytes`,
      );
  }

  /** @internal Inside the commit's transaction: replaces (or deletes) an item and its index entries. */
  apply(key: Key, item: Item | undefined, known: Item | undefined | typeof UNREAD = UNREAD, encoded?: EncodedItem): void {
    const k = join0(key.pk, key.sk);
    const stored = known !== UNREAD ? known : this.indexes.length > 0 ? this.items.get(k) : undefined;
    for (const ix of this.indexes) {
      const was = indexKey(ix, stored);
      const now = indexKey(ix, item);
      const same = was !== undefined && now !== undefined && was.equals(now);
      if (was && !same) ix.db.removeSync(was);
      if (now && !same) ix.db.putSync(now, k);
    }
    if (item) this.items.putSync(k, (encoded ?? item) as Item);
    else if (stored || known === UNREAD) this.items.removeSync(k);
  }
}

function indexKey(ix: IndexDb, item: Item | undefined): Buffer | undefined {
  if (!item) return undefined;
  const p = item[ix.pkAttr];
  const s = ix.skAttr ? item[ix.skAttr] : '';
  if (typeof p !== 'string' || typeof s !== 'string') return undefined; // not in this (sparse) index
  return join0(p, s, item.pk, item.sk);
}

/** The embedded store of a data dir. */
export function openLmdbStore(dataDir: string, o: Omit<LmdbStoreOptions, 'path'> = {}): LmdbStore {
  return new LmdbStore({ ...o, path: join(dataDir, 'store') });
}
