/** What the notifier counts; the local stack backs it with prom-client (infra/local), a Lambda with its own metrics. */
import type { AttemptClass } from './deliver.js';

/**
 * delivered: the sink took it; rejected: a 4xx, dropped; dead_lettered: given up and written to the dead-letter topic;
 * retry_later: handed back to the event source (delivered again); undecodable: not an Alert; resent / resend_failed:
 * the periodic Alertmanager re-send of active alerts.
 */
export type DeliveryOutcome = 'delivered' | 'rejected' | 'dead_lettered' | 'retry_later' | 'undecodable' | 'resent' | 'resend_failed';

export interface NotifyMetrics {
  delivery(sink: string, outcome: DeliveryOutcome, n?: number): void;
  attempt(sink: string, result: AttemptClass, seconds: number): void;
}

export const noNotifyMetrics: NotifyMetrics = { delivery: () => undefined, attempt: () => undefined };
