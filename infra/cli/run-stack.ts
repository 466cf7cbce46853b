/**
 * A local stack as a foreground process (`evpn-lens start`, `evpn-lens demo`): takes the data dir's lock, starts the
 * stack, writes `<dataDir>/stack.json`, and on SIGINT/SIGTERM stops everything within the shutdown budget, removes
 * stack.json and releases the lock. A second signal exits at once.
 *
 * A signal during start-up cancels the start (every wait takes the abort signal): what has started is stopped in the
 * same budget, and a failure the cancellation caused (a router killed by the same Ctrl-C) is not reported as one.
 * The exit code is the shell's for the signal: 130 for SIGINT, 143 for SIGTERM.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { lockDataDir } from '../local/data-dir-lock.js';
import { StartAbortedError } from '../local/errors.js';
import type { LocalStack } from '../local/stack.js';
import { connectAddress, removeStackFile, writeStackFile } from '../local/stack-file.js';

/** What SIGINT/SIGTERM may take before the process exits regardless (the bound is 5 s). */
export const SHUTDOWN_BUDGET_MS = 4_500;

/** 128 + the signal's number, as a shell reports a process that a signal ended. */
export function signalExitCode(signal: string | undefined): number {
  if (signal === 'SIGINT') return 130;
  if (signal === 'SIGTERM') return 143;
  if (signal === 'SIGHUP') return 129;
  return 0;
}

export interface RunStackOptions {
  config: Config;
  logger: Logger;
  /**
   * Runs once the stack is up (the demo starts its routers here); its result's stop() runs first on shutdown, and its
   * pids are recorded in the data dir's lock, so that they are stopped should this process be killed.
   */
  onUp?: (stack: LocalStack, signal: AbortSignal) => Promise<{ stop(): Promise<void>; pids?(): number[] } | undefined>;
}

/** Resolves with the exit code once the stack has stopped after a signal. */
export async function runStack(o: RunStackOptions): Promise<number> {
  const { config, logger } = o;
  let signalled: string | undefined;
  let signalledAt = 0;
  let wake: (() => void) | undefined;
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // The same Ctrl-C can arrive twice (from the terminal and forwarded by `npm start`'s wrapper): only a later one counts.
      if (Date.now() - signalledAt < 1_000) return;
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(signalExitCode(signal));
    }
    signalled = signal;
    signalledAt = Date.now();
    abort.abort(new StartAbortedError(`${signal} received`));
    wake?.();
  };
  // Installed before anything starts: a signal during start-up stops what has started, never leaves a broker behind.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const lock = await lockDataDir(config.dataDir, (line) => logger.warn(line));
  logger.info({ dataDir: config.dataDir }, 'starting');
  let stack: LocalStack | undefined;
  let extra: { stop(): Promise<void>; pids?(): number[] } | undefined;
  try {
    // Loaded only now: a bad configuration or a held lock fails fast without loading the whole stack.
    const { startLocalStack } = await import('../local/stack.js');
    stack = await startLocalStack(config, { logger, signal: abort.signal });
    if (!signalled) extra = await o.onUp?.(stack, abort.signal);
    if (extra?.pids) lock.recordChildren(extra.pids());
    if (!signalled) {
      writeStackFile(config.dataDir, {
        api: stack.apiUrl,
        bmp: connectAddress(stack.collector.address),
        kafkaBrokers: stack.kafkaBrokers,
        dynamodbEndpoint: stack.dynamodbEndpoint,
      });
      logger.info(
        { api: stack.apiUrl, bmp: stack.bmpAddress, kafka: stack.kafkaBrokers, dynamodb: stack.dynamodbEndpoint },
        `evpn-lens is up: dashboard ${stack.apiUrl}/`,
      );
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } catch (err) {
    // A child of ours that the same Ctrl-C killed (it shares the terminal's process group) can fail a step before our
    // handler has run: one turn of the event loop lets a pending signal arrive.
    if (!signalled && err instanceof StartAbortedError) await new Promise((r) => setTimeout(r, 50));
    // After a signal, whatever start-up step failed failed because of it (cancelled, or its process got the same Ctrl-C).
    if (!signalled) throw err;
    logger.info({ reason: signalled }, 'start-up cancelled');
    logger.debug({ err }, 'the step the signal cancelled');
  } finally {
    await shutdown(
      logger,
      signalled ?? 'start-up failure',
      async () => {
        await extra?.stop();
        await stack?.stop();
      },
      signalExitCode(signalled),
    );
    removeStackFile(config.dataDir);
    lock.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return signalExitCode(signalled);
}

async function shutdown(logger: Logger, reason: string, stop: () => Promise<void>, exitCode: number): Promise<void> {
  const t0 = Date.now();
  logger.info({ reason }, 'stopping');
  // Every part has its own deadline; this one catches a part that still hangs, so a stop never takes longer than this.
  const watchdog = setTimeout(() => {
    logger.warn({ openResources: process.getActiveResourcesInfo() }, `stop did not finish within ${SHUTDOWN_BUDGET_MS} ms; exiting`);
    process.exit(exitCode || 1);
  }, SHUTDOWN_BUDGET_MS);
  watchdog.unref();
  try {
    await stop();
  } finally {
    clearTimeout(watchdog);
  }
  logger.info({ ms: Date.now() - t0 }, 'stopped');
  // Nothing should be left running; should something be (a library's timer), it does not keep the process alive.
  setTimeout(() => {
    logger.warn({ openResources: process.getActiveResourcesInfo() }, 'exiting with resources still open after the stop');
    process.exit(exitCode);
  }, 1_000).unref();
}
