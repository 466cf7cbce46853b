/**
 * `<dataDir>/stack.json`: the endpoints a running `evpn-lens start` actually bound (the embedded broker and dynalite
 * listen on free ports), so that `tail`, `where`, `hosts`, `alerts` and `replay` find the stack without flags. Written
 * once the stack is up, removed on a clean stop; a file whose PID is gone (a killed stack) is ignored.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatHostPort, type HostPort } from '../config/host-port.js';
import { processAlive } from './data-dir-lock.js';

export const STACK_FILE = 'stack.json';

export interface StackFile {
  pid: number;
  startedAt: string;
  dataDir: string;
  /** Base URL of the query API and dashboard. */
  api: string;
  /** host:port routers (and `evpn-lens replay`) send BMP to. */
  bmp: string;
  kafkaBrokers: string[];
  /** The DynamoDB API endpoint, or "aws". */
  dynamodbEndpoint: string;
}

/** The address a client on this machine connects to for a listen address (the wildcard becomes loopback). */
export function connectAddress(listen: HostPort): string {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return formatHostPort({ host, port: listen.port });
}

export function stackFilePath(dataDir: string): string {
  return join(resolve(dataDir), STACK_FILE);
}

export function writeStackFile(dataDir: string, info: Omit<StackFile, 'pid' | 'startedAt' | 'dataDir'>): StackFile {
  const file = stackFilePath(dataDir);
  const full: StackFile = { pid: process.pid, startedAt: new Date().toISOString(), dataDir: resolve(dataDir), ...info };
  // Written aside and renamed: a reader never sees half a file.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(full, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  return full;
}

/** The stack.json of a live stack in dataDir; undefined when absent, unreadable or left by a process that is gone. */
export function readStackFile(dataDir: string): StackFile | undefined {
  let info: Partial<StackFile>;
  try {
    info = JSON.parse(readFileSync(stackFilePath(dataDir), 'utf8')) as Partial<StackFile>;
  } catch {
    return undefined;
  }
  if (typeof info.pid !== 'number' || !processAlive(info.pid)) return undefined;
  if (typeof info.api !== 'string' || typeof info.bmp !== 'string' || !Array.isArray(info.kafkaBrokers)) return undefined;
  return info as StackFile;
}

/** Removes the file if this process wrote it. */
export function removeStackFile(dataDir: string): void {
  const file = stackFilePath(dataDir);
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid !== process.pid) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}
