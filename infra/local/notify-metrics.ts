/** The notifier's counters on the stack's /metrics (prom-client): outcomes per sink, and every HTTP attempt. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { NotifyMetrics } from '../../functions/notify/notify-metrics.js';

export function createNotifyMetrics(registry: Registry): NotifyMetrics {
  const deliveries = new Counter({
    name: 'evpnlens_notify_deliveries_total',
    help: 'Alert raises and clears per sink by outcome (delivered, rejected = 4xx dropped, dead_lettered, retry_later, undecodable, resent, resend_failed)',
    labelNames: ['sink', 'outcome'],
    registers: [registry],
  });
  const attempts = new Histogram({
    name: 'evpnlens_notify_attempt_seconds',
    help: 'HTTP attempts to deliver alerts per sink by result (ok, http_4xx, http_5xx, timeout, network)',
    labelNames: ['sink', 'result'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    delivery: (sink, outcome, n = 1) => deliveries.inc({ sink, outcome }, n),
    attempt: (sink, result, seconds) => attempts.observe({ sink, result }, seconds),
  };
}
