/**
 * The notifier on the local stack: one event-source mapping (consumer group `notify-<sink>`) per sink of
 * `alerts.sinks[]`, each with its own position in evpn.alerts.v1. The handlers come from the function context; the
 * re-send of active alerts to Alertmanager is the `notify-resend` scheduled task.
 */
import type { NotifyHandler } from '../../functions/notify/handler.js';
import { TOPICS } from '../../schemas/topics.js';
import type { Config } from '../config/schema.js';
import type { EventSourceMapping } from './event-source-runner.js';

export function notifierMappings(cfg: Config, notifiers: NotifyHandler[]): EventSourceMapping[] {
  return notifiers.map((handler) => ({
    name: `notify-${handler.sink.name}`,
    topics: [TOPICS.alerts],
    handler,
    batchSize: 100,
    batchingWindowMs: cfg.eventSource.batchingWindowMs,
    // A new sink starts with the alerts raised from now on, not with the whole retained topic.
    startingPosition: 'LATEST',
  }));
}
