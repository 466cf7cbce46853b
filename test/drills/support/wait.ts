/** Polling with a deadline, for drills (a timed-out wait names what it waited for). */
export async function waitUntil(probe: () => Promise<boolean> | boolean, what: string, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(probe()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A progress line on stderr (drills take minutes; DRILL_QUIET=1 silences them). */
export function progress(drill: string, what: string): void {
  if (process.env.DRILL_QUIET !== '1') process.stderr.write(`  [${new Date().toISOString().slice(11, 19)}] ${drill}: ${what}\n`);
}
