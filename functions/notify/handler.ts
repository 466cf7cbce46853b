/**
 * The notifier function: fed MSK batches of evpn.alerts.v1, it delivers each raise and clear to one sink (Alertmanager,
 * a webhook, or a Slack-compatible incoming webhook). One function — one consumer group — per sink, so each sink keeps
 * its own position and a sink that is down holds back only itself. Stateless: what it needs to remember (the raise of an
 * episode, the alerts still active) it reads from the index.
 *
 * Delivery is at-least-once: per partition, records are delivered in order; a 5xx or timeout is retried with backoff for
 * up to `invocationRetrySeconds`, then the record is handed back to the event source (a partial batch failure naming
 * it), which delivers it again. A record still undeliverable `deadLetterAfterSeconds` after it was published goes to the
 * dead-letter topic (when a publisher is given; on AWS the event source mapping's on-failure destination can do this
 * instead). A 4xx is final: logged, counted, dropped. Receivers deduplicate by the episode's id (Alertmanager by its
 * labels, webhooks by `dedupKey` / Idempotency-Key).
 */
import { type Logger, pino } from 'pino';
import { Alert } from '../../schemas/events.js';
import { KafkaBatchProcessor } from '../shared/kafka-batch-processor.js';
import type { Context, DecodedRecord, MSKEvent, MskBatchResponse } from '../shared/msk.js';
import { describeRecord } from '../shared/msk.js';
import type { AlertStore } from './alert-store.js';
import { type AlertView, defaultSeverity, severityRank, viewOfAlert, viewOfItem } from './alert-view.js';
import { DEAD_LETTER_HEADERS, type DeadLetterPublisher } from './dead-letter.js';
import { type DeliveryResult, deliver } from './deliver.js';
import { alertmanagerRequest, toPostableAlert } from './formats/alertmanager.js';
import type { FormatContext, HttpRequest } from './formats/http-request.js';
import { slackRequest } from './formats/slack.js';
import { webhookRequest } from './formats/webhook.js';
import { type NotifyMetrics, noNotifyMetrics } from './notify-metrics.js';
import { DEFAULT_TIMING, type NotifyTiming, type Sink } from './sink-config.js';

export interface NotifyDeps {
  sink: Sink;
  /** The index: the raise of an episode being cleared, and the active alerts to re-send. */
  store?: AlertStore;
  /** Where records go after deadLetterAfterSeconds; without it they are handed back to the event source. */
  deadLetter?: DeadLetterPublisher;
  /** Base URL of the dashboard, for links (a function: the local stack knows it only once its server listens). */
  dashboardUrl: string | (() => string);
  timing?: Partial<NotifyTiming>;
  metrics?: NotifyMetrics;
  logger?: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface NotifyHandler {
  (event: MSKEvent, context?: Context): Promise<MskBatchResponse | undefined>;
  sink: Sink;
  /**
   * Alertmanager sinks: sends every active alert again with endsAt a few periods ahead, so Alertmanager keeps them
   * firing. Run every `resendSeconds` (locally a timer, on AWS a schedule). Other sinks: nothing to do.
   */
  resendActive(nowMs?: number): Promise<{ sent: number; failed: number }>;
}

/** Time kept back from a Lambda invocation's remaining time for the last attempt and the response. */
const LAMBDA_MARGIN_MS = 2_000;
const RESEND_CHUNK = 200;

/** A record to deliver again later (the sink is unavailable, or this invocation's retry time is used up). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
}

export function createNotifyHandler(deps: NotifyDeps): NotifyHandler {
  const { sink } = deps;
  const timing: NotifyTiming = { ...DEFAULT_TIMING, ...deps.timing };
  const metrics = deps.metrics ?? noNotifyMetrics;
  const log = (deps.logger ?? pino({ name: 'notify', level: 'warn' })).child({ sink: sink.name });
  const now = deps.now ?? Date.now;
  const secrets = sink.secret ? [sink.secret] : [];
  const dashboardUrl = () => (typeof deps.dashboardUrl === 'function' ? deps.dashboardUrl() : deps.dashboardUrl);

  const accepts = (v: AlertView) => sink.types.includes(v.kind) && severityRank(v.severity) >= severityRank(sink.minSeverity);

  function requestFor(v: AlertView): HttpRequest {
    const ctx: FormatContext = { dashboardUrl: dashboardUrl(), nowMs: now() };
    switch (sink.type) {
      case 'alertmanager':
        return alertmanagerRequest(sink.url, [toPostableAlert(v, ctx, timing.resendSeconds)], sink.secret);
      case 'webhook':
        return webhookRequest(sink.url, v, ctx, sink.secret);
      case 'slack':
        return slackRequest(sink.url, v, ctx);
    }
  }

  const send = (build: () => HttpRequest, deadlineMs: number): Promise<DeliveryResult> =>
    deliver(build, {
      timeoutMs: sink.timeoutMs,
      initialBackoffMs: timing.initialBackoffMs,
      maxBackoffMs: timing.maxBackoffMs,
      deadlineMs,
      secrets,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      now,
      onAttempt: (r, seconds) => metrics.attempt(sink.name, r.class, seconds),
    });

  /** A clear repeats its raise's labels (Alertmanager matches on them): fabric and severity as they were raised. */
  async function episodeView(v: AlertView): Promise<AlertView> {
    if (v.state !== 'cleared' || !deps.store) return v;
    const raised = await deps.store.raiseOf(v);
    if (!raised) return v;
    const fabrics = [...new Set([...raised.fabrics, ...v.fabrics])];
    return {
      ...v,
      fabric: raised.fabric,
      fabrics,
      crossFabric: v.crossFabric || fabrics.length > 1,
      severity: raised.severity ?? defaultSeverity(raised.type, raised.status),
      locations: v.locations.length ? v.locations : (raised.locations ?? []),
      detail: v.detail || raised.detail,
    };
  }

  async function deadLetter(r: DecodedRecord<Uint8Array>, reason: string): Promise<void> {
    await deps.deadLetter!.publish([
      {
        key: r.key ?? '',
        value: r.value,
        headers: {
          [DEAD_LETTER_HEADERS.sink]: sink.name,
          [DEAD_LETTER_HEADERS.reason]: reason,
          [DEAD_LETTER_HEADERS.source]: describeRecord(r),
          [DEAD_LETTER_HEADERS.publishedAt]: new Date(r.timestamp).toISOString(),
          [DEAD_LETTER_HEADERS.deadLetteredAt]: new Date(now()).toISOString(),
        },
      },
    ]);
  }

  /** Delivers one record, or throws RetryLaterError to hand it (and its partition's later records) back. */
  async function handleRecord(r: DecodedRecord<Uint8Array>, invocationDeadline: number): Promise<void> {
    if (now() >= invocationDeadline) throw new RetryLaterError('the invocation retry time is used up');
    let view: AlertView;
    try {
      view = viewOfAlert(Alert.decode(r.value));
    } catch (err) {
      metrics.delivery(sink.name, 'undecodable');
      log.warn({ record: describeRecord(r), err: err instanceof Error ? err.message : String(err) }, 'skipped an alert record that does not decode');
      if (deps.deadLetter) await deadLetter(r, 'undecodable');
      return;
    }
    view = await episodeView(view);
    if (!accepts(view)) return;
    const deadLetterAt = r.timestamp + timing.deadLetterAfterSeconds * 1000;
    const res = await send(() => requestFor(view), Math.min(invocationDeadline, deadLetterAt));
    const about = { alert: view.id, event: view.state, attempts: res.attempts };
    if (res.outcome === 'delivered') {
      metrics.delivery(sink.name, 'delivered');
      log.debug(about, 'alert delivered');
      return;
    }
    if (res.outcome === 'rejected') {
      metrics.delivery(sink.name, 'rejected');
      log.warn({ ...about, status: res.status, response: res.detail }, 'the sink refused the alert (4xx); dropped');
      return;
    }
    const why = res.last.status ? `HTTP ${res.last.status}` : res.last.class;
    if (now() >= deadLetterAt && deps.deadLetter) {
      await deadLetter(r, why);
      metrics.delivery(sink.name, 'dead_lettered');
      log.error({ ...about, last: why }, `undeliverable for ${timing.deadLetterAfterSeconds} s; written to the dead-letter topic`);
      return;
    }
    metrics.delivery(sink.name, 'retry_later');
    log.warn({ ...about, last: why }, 'sink unavailable; the record is handed back and delivered again');
    throw new RetryLaterError(`sink unavailable (${why})`);
  }

  // Values are taken as bytes and decoded per record, so a record that does not decode can be dead-lettered.
  const processor = new KafkaBatchProcessor<Uint8Array>({ decode: (b) => b });
  const handler = (async (event: MSKEvent, context?: Context) => {
    const start = now();
    let invocationDeadline = start + timing.invocationRetrySeconds * 1000;
    if (context?.getRemainingTimeInMillis) invocationDeadline = Math.min(invocationDeadline, start + context.getRemainingTimeInMillis() - LAMBDA_MARGIN_MS);
    // Per partition in order; the first record handed back stops its partition (processor).
    const result = await processor.process(event, async (r) => {
      try {
        await handleRecord(r, invocationDeadline);
      } catch (err) {
        if (!(err instanceof RetryLaterError)) log.error({ record: describeRecord(r), err }, 'notifier failed on a record; handed back');
        throw err;
      }
    });
    return result.response;
  }) as NotifyHandler;

  handler.sink = sink;
  handler.resendActive = async (nowMs = now()) => {
    if (sink.type !== 'alertmanager' || !deps.store) return { sent: 0, failed: 0 };
    const views = (await deps.store.activeAlerts(nowMs)).map(viewOfItem).filter(accepts);
    let sent = 0;
    let failed = 0;
    for (let i = 0; i < views.length; i += RESEND_CHUNK) {
      const chunk = views.slice(i, i + RESEND_CHUNK);
      const build = () => {
        const ctx: FormatContext = { dashboardUrl: dashboardUrl(), nowMs: now() };
        return alertmanagerRequest(
          sink.url,
          chunk.map((v) => toPostableAlert(v, ctx, timing.resendSeconds)),
          sink.secret,
        );
      };
      // Retry within half a period: the next period sends them all again anyway.
      const res = await send(build, now() + (timing.resendSeconds * 1000) / 2);
      if (res.outcome === 'delivered') sent += chunk.length;
      else {
        failed += chunk.length;
        log.warn({ alerts: chunk.length, outcome: res.outcome }, 're-sending active alerts failed; the next period tries again');
      }
    }
    if (sent) metrics.delivery(sink.name, 'resent', sent);
    if (failed) metrics.delivery(sink.name, 'resend_failed', failed);
    return { sent, failed };
  };
  return handler;
}
