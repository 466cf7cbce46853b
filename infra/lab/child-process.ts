/** Stops a router process: SIGTERM, SIGKILL after a grace period, and waits until it is gone. */
import type { ChildProcess } from 'node:child_process';

export async function stopChild(c: ChildProcess | undefined, graceMs = 5_000): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}
