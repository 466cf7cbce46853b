/**
 * Kafka topics carrying evpn-lens events; the suffix is the schema version (package evpnlens.v1).
 * Record values: evpn.routes.v1 RouteEventBatch, evpn.sessions.v1 SessionEvent, telemetry.vtep.v1 VtepSampleBatch
 * (key: the device; gNMI target session events are samples of kind TARGET there), evpn.alerts.v1 Alert.
 */
export const TOPICS = {
  routes: 'evpn.routes.v1',
  sessions: 'evpn.sessions.v1',
  vtepTelemetry: 'telemetry.vtep.v1',
  alerts: 'evpn.alerts.v1',
  /** Alerts a sink could not take within the notifier's retry time: the original Alert record, headers naming the sink and why. */
  alertsDeadLetter: 'evpn.alerts.dlq.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

/** Default partition count of the local broker's topics (MSK topics are created by the deployment). */
export const DEFAULT_PARTITIONS = 12;
