/**
 * Fetches a Go module from the Go module proxy (GOPROXY, default proxy.golang.org) with `go mod download -json` in a
 * scratch module, and returns its directory in the module cache (read-only). `go install …@version` is not used: here
 * it fails on a deprecation look-up (HTTP 403), while `go mod download` works.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GoModule {
  Path: string;
  Version: string;
  Dir: string;
  Sum: string;
}

const downloaded = new Map<string, GoModule>();

export function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? 'local' };
}

export function downloadGoModule(module: string, version: string): GoModule {
  const id = `${module}@${version}`;
  const cached = downloaded.get(id);
  if (cached) return cached;
  const scratch = join(tmpdir(), 'evpn-lens-go-scratch');
  mkdirSync(scratch, { recursive: true });
  writeFileSync(join(scratch, 'go.mod'), 'module scratch\n\ngo 1.22\n');
  let out: string;
  try {
    out = execFileSync('go', ['mod', 'download', '-json', id], { cwd: scratch, env: goEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`go mod download ${id} failed: ${e.stdout || e.stderr || e.message}`, { cause: err });
  }
  const info = JSON.parse(out) as GoModule & { Error?: string };
  if (info.Error || !info.Dir) throw new Error(`go mod download ${id}: ${info.Error ?? 'no Dir in the answer'}`);
  downloaded.set(id, info);
  return info;
}
