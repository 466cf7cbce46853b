import { describe, expect, it } from 'vitest';
import { signalExitCode } from '../../../../infra/cli/run-stack.js';
import { delay, throwIfAborted, untilAborted } from '../../../../infra/local/abortable.js';
import { PrerequisiteError, StartAbortedError } from '../../../../infra/local/errors.js';
import { assertCommand } from '../../../../infra/local/kafka-jars.js';

describe('abortable untilAborted', () => {
  it("rejects with StartAbortedError as soon as the signal fires, and swallows the abandoned step's later failure", async () => {
    const abort = new AbortController();
    let failLater: (err: Error) => void = () => undefined;
    const step = new Promise<never>((_r, reject) => (failLater = reject));
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);

    const cancelled = untilAborted(step, abort.signal, 'joining the consumer groups');
    abort.abort();

    await expect(cancelled).rejects.toThrow(StartAbortedError);
    await expect(cancelled).rejects.toThrow('joining the consumer groups cancelled');
    failLater(new Error('broker gone'));
    await delay(20);
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it("passes the step's result and error through while the signal has not fired", async () => {
    const abort = new AbortController();

    await expect(untilAborted(Promise.resolve(7), abort.signal, 'x')).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('no store')), abort.signal, 'x')).rejects.toThrow('no store');
  });

  it('throws at once for a signal that has already fired', () => {
    const abort = new AbortController();
    abort.abort();

    expect(() => throwIfAborted(abort.signal, 'local stack start')).toThrow(StartAbortedError);
    expect(() => throwIfAborted(undefined, 'local stack start')).not.toThrow();
  });

  it('ends a delay early on abort', async () => {
    const abort = new AbortController();
    const t0 = Date.now();
    const sleeping = delay(60_000, abort.signal);

    abort.abort();
    await sleeping;

    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});

describe('run-stack signalExitCode', () => {
  it("gives the shell's codes: 130 for SIGINT, 143 for SIGTERM, 0 without a signal", () => {
    expect([signalExitCode('SIGINT'), signalExitCode('SIGTERM'), signalExitCode(undefined)]).toEqual([130, 143, 0]);
  });
});

describe('kafka-jars assertCommand', () => {
  it('reports a prerequisite check killed by the same Ctrl-C as cancelled, not as a missing program', () => {
    expect(() => assertCommand('sh', ['-c', 'kill -INT $$'], 'Java 17+')).toThrow(StartAbortedError);
    expect(() => assertCommand('sh', ['-c', 'exit 3'], 'Java 17+')).toThrow(PrerequisiteError);
  });
});
