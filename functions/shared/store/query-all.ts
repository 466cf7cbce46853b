/** Paging written once: every query that reads a whole partition (or range) goes through here. */
import type { Item, Key, Page, QueryInput, TableStore } from './table-store.js';

/** Every page of a query, one after another. */
export async function* pages<T extends Key = Item>(store: TableStore, q: QueryInput): AsyncGenerator<T[]> {
  let cursor: string | undefined = q.cursor;
  do {
    const page: Page<T> = await store.query<T>({ ...q, cursor });
    yield page.items;
    cursor = page.cursor;
  } while (cursor);
}

/** Every item of a query (up to `q.limit` items in all when given). */
export async function queryAll<T extends Key = Item>(store: TableStore, q: QueryInput): Promise<T[]> {
  const out: T[] = [];
  for await (const items of pages<T>(store, q)) {
    for (const it of items) {
      out.push(it);
      if (q.limit !== undefined && out.length >= q.limit) return out;
    }
  }
  return out;
}

/**
 * The table's items behind a page of a KEYS_ONLY (or INCLUDE) index, in the page's order, read by key (consistent):
 * an item whose index key changed since the index was read (`attr` no longer `value`) is left out, as the index
 * itself would leave it out a moment later.
 */
export async function itemsBehind<T extends Key = Item>(store: TableStore, page: readonly Key[], attr: string, value: string): Promise<T[]> {
  if (page.length === 0) return [];
  const byKey = new Map<string, T>();
  for (const it of await store.batchGet<T>(page)) byKey.set(`${it.pk}\u0000${it.sk}`, it);
  const out: T[] = [];
  for (const k of page) {
    const it = byKey.get(`${k.pk}\u0000${k.sk}`);
    if (it && (it as Record<string, unknown>)[attr] === value) out.push(it);
  }
  return out;
}
