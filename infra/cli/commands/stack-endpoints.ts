/**
 * Where the CLI's client commands find a stack: their flag, then the environment (KAFKA_BROKERS, EVPN_LENS_API), then
 * the stack.json of `--config`'s data dir (or EVPN_LENS_CONFIG / EVPN_LENS_DATA_DIR), then ./.data/stack.json, then the
 * demo's ./.data/demo/stack.json.
 * Nothing found is one line saying how to point them at a stack.
 */
import { resolve } from 'node:path';
import { ConfigError } from '../../config/errors.js';
import { parseHostPort } from '../../config/host-port.js';
import { loadConfig, overridesFromEnv } from '../../config/load-config.js';
import { readStackFile, STACK_FILE, type StackFile } from '../../local/stack-file.js';
import { DEMO_DATA_DIR } from './demo.js';

export class StackNotFoundError extends Error {
  override readonly name = 'StackNotFoundError';
}

export interface StackLookup {
  config?: string;
}

/** The data dirs to look in, in order: the configuration's (file and environment), then ./.data. */
export function candidateDataDirs(o: StackLookup, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = o.config ?? env.EVPN_LENS_CONFIG;
  const dirs = [loadConfig(file, overridesFromEnv(env)).dataDir, '.data', DEMO_DATA_DIR].map((d) => resolve(d));
  return [...new Set(dirs)];
}

export function findStack(o: StackLookup, env: NodeJS.ProcessEnv = process.env): StackFile | undefined {
  for (const dir of candidateDataDirs(o, env)) {
    const info = readStackFile(dir);
    if (info) return info;
  }
  return undefined;
}

function notFound(o: StackLookup, how: string): StackNotFoundError {
  const where = candidateDataDirs(o)
    .map((d) => `${d}/${STACK_FILE}`)
    .join(', ');
  return new StackNotFoundError(`no running evpn-lens stack found (no live ${where}); start one with \`npm start\`, or ${how}`);
}

export function resolveApiUrl(o: StackLookup & { api?: string }): string {
  const url = o.api ?? process.env.EVPN_LENS_API ?? findStack(o)?.api;
  if (!url) throw notFound(o, 'point at one with --api URL, EVPN_LENS_API or --config FILE');
  return url;
}

export function resolveKafkaBrokers(o: StackLookup & { brokers?: string }): string[] {
  const list = o.brokers ?? process.env.KAFKA_BROKERS;
  if (list) {
    return list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  const found = findStack(o)?.kafkaBrokers;
  if (!found?.length) throw notFound(o, 'point at a cluster with --brokers HOST:PORT, KAFKA_BROKERS or --config FILE');
  return found;
}

export function resolveBmpTarget(o: StackLookup & { to?: string }): { host: string; port: number } {
  const text = o.to ?? findStack(o)?.bmp;
  if (!text) throw notFound(o, 'name the BMP station with --to HOST:PORT or --config FILE');
  const to = parseHostPort(text);
  if (!to) throw new ConfigError(`--to: expected host:port, got "${text}"`);
  return to;
}
