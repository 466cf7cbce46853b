/**
 * The DynamoDB API on one machine: dynalite in-process, persisted on disk (LevelDB) when a path is given so a restart
 * keeps the index. It has no transactions, TTL or streams; evpn-lens needs none of them.
 */

import { mkdirSync } from 'node:fs';
import { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { LocalRuntimeError } from './errors.js';

const require = createRequire(import.meta.url);
// dynalite is CommonJS without types.
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

export interface DynaliteStore {
  endpoint: string;
  /**
   * Fault hook (tests and drills only): for `ms` the store resets every connection (open ones are cut), then serves
   * again with its data intact. Nothing in the stack undoes it earlier.
   */
  outage(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynalite(opts: { path?: string; host?: string; port?: number } = {}): Promise<DynaliteStore> {
  if (opts.path) mkdirSync(opts.path, { recursive: true });
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, maxItemSizeKb: 400 });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new LocalRuntimeError(`dynalite could not listen on ${host}:${opts.port ?? 0}`, { cause: err })));
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const sockets = new Set<Socket>();
  let down: NodeJS.Timeout | undefined;
  let stopped = false;
  server.on('connection', (s: Socket) => {
    // During an outage every connection is reset at once: the store looks unreachable to its clients, while its
    // database stays open (closing the server would close it under operations still in flight).
    if (down) return void s.destroy();
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    endpoint: `http://${host}:${port}`,
    async outage(ms) {
      if (down || stopped) return;
      down = setTimeout(() => {
        down = undefined;
      }, ms);
      for (const s of sockets) s.destroy();
    },
    async stop() {
      stopped = true;
      clearTimeout(down);
      down = undefined;
      // The listener closes; dynalite's database is left to the process's exit. dynalite's own close() closes it
      // under operations still running (a client that gave up leaves its request running), and such an operation
      // then rejects where nobody listens. Every acknowledged write is in LevelDB's log already.
      const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
