/**
 * The embedded store's candidates, on the operation the index does most: a read-check-write of one item (read it,
 * compare its version, write it back), one after another as a handler awaits them, plus plain gets and a range read.
 *  - lmdb (LMDB, binary in the npm package): a synchronous transaction per write, noSync (as the adapter opens it);
 *  - classic-level (LevelDB, binary in the npm package; what dynalite stores in): async get/put, no transactions (a
 *    conditional write would need a lock of our own).
 * better-sqlite3 12.x builds from source here (no prebuilt binary for this platform in the package) and 13.x needs
 * Node 22, so it is not measured.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { open } from 'lmdb';

const N = Number(process.env.BENCH_ITEMS ?? 50_000);
const item = (i: number, version: number) => ({
  pk: `MAC#${i}`,
  sk: 'VNI#10100',
  version,
  paths: { a: { vtep: `10.0.0.${i % 250}`, ord: i, routers: ['10.255.0.1'] } },
});
const key = (i: number) => `MAC#${String(i).padStart(8, '0')}\u0000VNI#10100`;

function report(name: string, what: string, n: number, t0: bigint, c0: NodeJS.CpuUsage) {
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  console.log(
    `${name}: ${what}: ${Math.round(n / secs).toLocaleString('en-US')}/s (${Math.round(n / ((c.user + c.system) / 1e6)).toLocaleString('en-US')} per CPU-second)`,
  );
}

async function lmdb() {
  const dir = mkdtempSync(join(tmpdir(), 'cand-lmdb-'));
  const env = open({ path: dir, noSync: true });
  const db = env.openDB<ReturnType<typeof item>, string>({ name: 't' });
  let t0 = process.hrtime.bigint();
  let c0 = process.cpuUsage();
  for (let i = 0; i < N; i++)
    db.transactionSync(() => {
      const was = db.get(key(i));
      if (was && was.version !== 0) throw new Error('conflict');
      db.putSync(key(i), item(i, 1));
    });
  report('lmdb', 'conditional put (read, check, write; one transaction each)', N, t0, c0);
  t0 = process.hrtime.bigint();
  c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) db.get(key(i));
  report('lmdb', 'get', N, t0, c0);
  t0 = process.hrtime.bigint();
  c0 = process.cpuUsage();
  let n = 0;
  for (const _ of db.getRange({ start: key(0), end: key(N) })) n++;
  report('lmdb', 'range read', n, t0, c0);
  await env.close();
  rmSync(dir, { recursive: true, force: true });
}

async function level() {
  const dir = mkdtempSync(join(tmpdir(), 'cand-level-'));
  const db = new ClassicLevel<string, ReturnType<typeof item>>(dir, { valueEncoding: 'json' });
  await db.open();
  let t0 = process.hrtime.bigint();
  let c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const was = await db.get(key(i)).catch(() => undefined);
    if (was && was.version !== 0) throw new Error('conflict');
    await db.put(key(i), item(i, 1));
  }
  report('classic-level', 'conditional put (read, check, write; no transaction)', N, t0, c0);
  t0 = process.hrtime.bigint();
  c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await db.get(key(i));
  report('classic-level', 'get', N, t0, c0);
  t0 = process.hrtime.bigint();
  c0 = process.cpuUsage();
  let n = 0;
  for await (const _ of db.iterator({ gte: key(0), lt: key(N) })) n++;
  report('classic-level', 'range read', n, t0, c0);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

await lmdb();
await level();
