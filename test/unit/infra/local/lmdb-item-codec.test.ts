/**
 * The embedded store's item encoding (infra/local/item-codec.ts): JSON, and items a store wrote before as msgpack
 * (lmdb's default encoding) are still read, by key and by range, and rewritten as JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LmdbStore } from '../../../../infra/local/lmdb-table-store.js';
import { indexTable } from '../../../../schemas/tables/index.js';

describe('embedded store item encoding', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'evpn-lens-codec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads items written as msgpack by an earlier version, and writes JSON', async () => {
    const old = {
      pk: 'MAC#00:00:00:00:00:01',
      sk: 'VNI#10',
      paths: { 'r1|p|loc|0|k': { vtep: '10.0.0.1', seq: 2 } },
      version: 3,
      n: 1.5,
      ok: true,
      list: ['a'],
    };
    // As the previous adapter wrote it: the same database, lmdb's msgpack encoding, key `pk \0 sk`.
    const before = open({ path: dir, maxDbs: 64, keyEncoding: 'binary' });
    const legacyDb = before.openDB<unknown, Buffer>({ name: indexTable.id, keyEncoding: 'binary', encoding: 'msgpack' });
    await legacyDb.put(Buffer.from(`${old.pk}\u0000${old.sk}`), old);
    await before.close();

    const env = new LmdbStore({ path: dir, syncMs: 0 });
    const t = env.table(indexTable.id, indexTable);
    expect(await t.get(old)).toEqual(old);
    expect((await t.query({ pk: old.pk })).items).toEqual([old]);
    await t.update(old, { add: { version: 1 } }, [{ attr: 'version', op: 'eq', value: 3 }]);
    const raw = env.root.openDB<Buffer, Buffer>({ name: indexTable.id, keyEncoding: 'binary', encoding: 'binary' });
    const bytes = raw.get(Buffer.from(`${old.pk}\u0000${old.sk}`))!;
    expect(JSON.parse(bytes.toString('utf8'))).toEqual({ ...old, version: 4 });
    expect(await t.get(old)).toEqual({ ...old, version: 4 });
    await env.close();
  });
});
