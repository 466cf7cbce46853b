/**
 * One HTTP delivery with retries: a 2xx is done; a 5xx, 408, 429, a timeout or a network error is retried with
 * exponential backoff (half of it jittered) until a deadline; any other 4xx is final (the receiver refuses this alert, and
 * sending it again would not change that).
 */
import type { HttpRequest } from './formats/http-request.js';

export type AttemptClass = 'ok' | 'http_4xx' | 'http_5xx' | 'timeout' | 'network';

export interface AttemptResult {
  class: AttemptClass;
  status?: number;
  /** At most 200 characters of the response body of a refusal (the sink's secret removed), for the log. */
  detail?: string;
}

export type DeliveryResult =
  | { outcome: 'delivered'; attempts: number; status: number }
  | { outcome: 'rejected'; attempts: number; status: number; detail: string }
  | { outcome: 'gave-up'; attempts: number; last: AttemptResult };

export interface DeliverOptions {
  timeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** No attempt starts after this time (ms since epoch); the last failure is returned. */
  deadlineMs: number;
  /** Removed from any response text kept for the log. */
  secrets?: string[];
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onAttempt?: (r: AttemptResult, seconds: number) => void;
}

const RETRIABLE_4XX = new Set([408, 429]);

export function retriable(r: AttemptResult): boolean {
  return r.class === 'http_5xx' || r.class === 'timeout' || r.class === 'network' || (r.status !== undefined && RETRIABLE_4XX.has(r.status));
}

function redact(text: string, secrets: string[]): string {
  let t = text;
  for (const s of secrets) if (s) t = t.split(s).join('[redacted]');
  return t;
}

export async function attempt(req: HttpRequest, o: Pick<DeliverOptions, 'timeoutMs' | 'secrets' | 'fetch'>): Promise<AttemptResult> {
  const doFetch = o.fetch ?? fetch;
  try {
    const res = await doFetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(o.timeoutMs), redirect: 'manual' });
    const text = await res.text().catch(() => '');
    if (res.status >= 200 && res.status < 300) return { class: 'ok', status: res.status };
    const detail = redact(text.slice(0, 200), o.secrets ?? []);
    return { class: res.status >= 500 ? 'http_5xx' : 'http_4xx', status: res.status, detail };
  } catch (err) {
    const name = (err as { name?: string }).name;
    return { class: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
  }
}

export async function deliver(build: () => HttpRequest, o: DeliverOptions): Promise<DeliveryResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = o.random ?? Math.random;
  for (let n = 1; ; n++) {
    const started = now();
    const r = await attempt(build(), o);
    o.onAttempt?.(r, (now() - started) / 1000);
    if (r.class === 'ok') return { outcome: 'delivered', attempts: n, status: r.status! };
    if (!retriable(r)) return { outcome: 'rejected', attempts: n, status: r.status ?? 0, detail: r.detail ?? '' };
    const cap = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** Math.min(n - 1, 30));
    const delay = Math.max(1, Math.round(cap * (0.5 + random() / 2)));
    if (now() + delay > o.deadlineMs) return { outcome: 'gave-up', attempts: n, last: r };
    await sleep(delay);
  }
}
