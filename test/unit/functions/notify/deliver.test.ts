import { afterEach, describe, expect, it } from 'vitest';
import { deliver } from '../../../../functions/notify/deliver.js';
import { HttpReceiver } from '../../../support/http-receiver.js';

describe('notify deliver', () => {
  let rx: HttpReceiver | undefined;
  afterEach(async () => rx?.stop());
  // Request timeouts far above what a loaded 2-core machine takes to answer on loopback: only an answer held back on
  // purpose (delayMs) times out.
  const TIMEOUT_MS = 2_000;
  const opts = (deadlineInMs = 30_000) => ({ timeoutMs: TIMEOUT_MS, initialBackoffMs: 10, maxBackoffMs: 40, deadlineMs: Date.now() + deadlineInMs });
  const req = () => ({ url: `${rx!.url}/x`, headers: { 'content-type': 'application/json' }, body: '{}' });

  it('retries 5xx, 429 and timeouts with backoff until the receiver takes it', async () => {
    let n = 0;
    rx = await new HttpReceiver(() => {
      n++;
      return n === 1 ? { status: 503 } : n === 2 ? { status: 429 } : n === 3 ? { status: 200, delayMs: TIMEOUT_MS * 3 } : { status: 204 };
    }).start();
    const res = await deliver(req, opts());
    expect(res).toEqual({ outcome: 'delivered', attempts: 4, status: 204 });
    expect(rx.requests.map((r) => r.status)).toEqual([503, 429, 200, 204]); // the third answered after the timeout
  });

  it('gives up at the deadline with the last failure', async () => {
    rx = await new HttpReceiver(() => ({ status: 500 })).start();
    const started = Date.now();
    const res = await deliver(req, opts(1_500));
    expect(res).toMatchObject({ outcome: 'gave-up', last: { class: 'http_5xx', status: 500 } });
    // At the deadline, not a retry series later: at most one attempt's timeout past it, plus slack for a busy machine.
    expect(Date.now() - started).toBeLessThan(1_500 + TIMEOUT_MS + 3_000);
    expect(rx.requests.length).toBeGreaterThan(2);
  });

  it('does not retry a 4xx, and keeps no secret in what it reports', async () => {
    rx = await new HttpReceiver(({ headers }) => ({ status: 422, body: `bad request, you sent ${headers.authorization}` })).start();
    const res = await deliver(() => ({ ...req(), headers: { authorization: 'Bearer tok-123' } }), { ...opts(), secrets: ['tok-123'] });
    expect(res).toEqual({ outcome: 'rejected', attempts: 1, status: 422, detail: 'bad request, you sent Bearer [redacted]' });
    expect(rx.requests).toHaveLength(1);
  });

  it('counts a refused connection as retriable', async () => {
    rx = await new HttpReceiver().start();
    const url = `${rx.url}/x`;
    await rx.stop();
    rx = undefined;
    const res = await deliver(() => ({ url, headers: {}, body: '' }), opts(100));
    expect(res).toMatchObject({ outcome: 'gave-up', last: { class: 'network' } });
  });
});
