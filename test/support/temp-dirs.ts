/**
 * Temporary directories of one test file, all under one root removed after the file's tests: CDK assemblies
 * (`cdk.out…`, ~66 MB each), bundle builds and configuration files otherwise stayed in /tmp, ~1.7 GB per `npm test`.
 * (Vitest ends its workers without their `exit` handlers running, so the file's own afterAll removes them.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

let root: string | undefined;

// Registered while the importing test file is collected: it runs after that file's tests.
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

export function tempDir(prefix: string): string {
  root ??= mkdtempSync(join(tmpdir(), 'evpn-lens-test-'));
  return mkdtempSync(join(root, prefix));
}
