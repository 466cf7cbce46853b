/**
 * The generic webhook: one JSON document per raise or clear (the README documents it), signed with HMAC-SHA256 when
 * the sink has a secret. The signature covers the timestamp and the body (`${timestamp}.${body}`), so a receiver can
 * refuse stale replays; the Idempotency-Key header and `dedupKey` let it drop the duplicates at-least-once brings.
 */
import { createHmac } from 'node:crypto';
import type { AlertView } from '../alert-view.js';
import { dashboardLink, type FormatContext, type HttpRequest } from './http-request.js';

export const WEBHOOK_VERSION = 1;
export const SIGNATURE_HEADER = 'x-evpn-lens-signature';
export const TIMESTAMP_HEADER = 'x-evpn-lens-timestamp';

export interface WebhookBody {
  version: typeof WEBHOOK_VERSION;
  /** Same for the raise and the clear of one episode. */
  dedupKey: string;
  /** "raised" | "cleared" */
  event: AlertView['state'];
  sentAt: string;
  alert: AlertView & { dashboardUrl: string };
}

export function webhookBody(v: AlertView, ctx: FormatContext): WebhookBody {
  return {
    version: WEBHOOK_VERSION,
    dedupKey: v.id,
    event: v.state,
    sentAt: new Date(ctx.nowMs).toISOString(),
    alert: { ...v, dashboardUrl: dashboardLink(ctx.dashboardUrl, v.mac) },
  };
}

/** "sha256=<hex>" of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookRequest(url: string, v: AlertView, ctx: FormatContext, secret?: string): HttpRequest {
  const body = JSON.stringify(webhookBody(v, ctx));
  const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': `${v.id}/${v.state}` };
  if (secret) {
    const ts = String(Math.floor(ctx.nowMs / 1000));
    headers[TIMESTAMP_HEADER] = ts;
    headers[SIGNATURE_HEADER] = webhookSignature(secret, ts, body);
  }
  return { url, headers, body };
}
