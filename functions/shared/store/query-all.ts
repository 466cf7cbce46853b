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
