/**
 * The DynamoDB API on one machine: dynalite in-process, persisted on disk (LevelDB) when a path is given so a restart
 * keeps the index. It has no transactions, TTL or streams; evpn-lens needs none of them.
 */

import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { LocalRuntimeError } from './errors.js';

const require = createRequire(import.meta.url);
// dynalite is CommonJS without types.
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => Server;

export interface DynaliteStore {
  endpoint: string;
  /**
   * Fault hook (tests and drills only): the store refuses connections for `ms` (open ones are cut), then listens again
   * on the same port with its data intact. Nothing in the stack undoes it earlier.
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
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  let down: NodeJS.Timeout | undefined;
  let stopped = false;
  return {
    endpoint: `http://${host}:${port}`,
    async outage(ms) {
      if (down || stopped) return;
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      down = setTimeout(() => {
        down = undefined;
        if (!stopped) server.listen(port, host);
      }, ms);
    },
    stop: () => {
      stopped = true;
      if (down) {
        clearTimeout(down);
        down = undefined;
        return Promise.resolve();
      }
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
