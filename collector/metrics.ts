/** The collector's Prometheus metrics (prom-client), on the registry the caller passes in. */
import { Counter, Gauge, type Registry } from 'prom-client';

export function createCollectorMetrics(registry: Registry, routesHeld: () => number = () => 0) {
  const m = {
    sessions: new Gauge({ name: 'evpnlens_bmp_sessions', help: 'BMP sessions connected', registers: [registry] }),
    sessionsTotal: new Counter({ name: 'evpnlens_bmp_sessions_total', help: 'BMP sessions accepted', labelNames: ['result'], registers: [registry] }),
    bytes: new Counter({ name: 'evpnlens_bmp_bytes_total', help: 'BMP bytes received', registers: [registry] }),
    messages: new Counter({ name: 'evpnlens_bmp_messages_total', help: 'BMP messages by type', labelNames: ['type'], registers: [registry] }),
    routes: new Counter({
      name: 'evpnlens_evpn_routes_total',
      help: 'EVPN route events published by route type and action',
      labelNames: ['route_type', 'action'],
      registers: [registry],
    }),
    duplicates: new Counter({ name: 'evpnlens_evpn_route_repeats_total', help: 'EVPN routes dropped as exact repeats', registers: [registry] }),
    otherAfiSafi: new Counter({
      name: 'evpnlens_bgp_other_afi_safi_total',
      help: 'NLRI fields of other address families skipped',
      labelNames: ['afi_safi'],
      registers: [registry],
    }),
    decodeErrors: new Counter({
      name: 'evpnlens_bmp_decode_errors_total',
      help: 'BMP messages that did not decode (kind message: skipped, session kept) or framing errors (kind framing: session closed)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    updateErrors: new Counter({
      name: 'evpnlens_bgp_update_errors_total',
      help: 'Malformed BGP UPDATE parts by RFC 7606 class (treat-as-withdraw, attribute-discard, afi-safi-disable, session-reset)',
      labelNames: ['class'],
      registers: [registry],
    }),
    ignoredUpdates: new Counter({
      name: 'evpnlens_bgp_updates_ignored_total',
      help: 'UPDATEs of a peer disabled by RFC 7606 AFI/SAFI disable or session reset, ignored until its next Peer Up',
      labelNames: ['reason'],
      registers: [registry],
    }),
    invalidRoutes: new Counter({
      name: 'evpnlens_evpn_routes_invalid_total',
      help: 'EVPN routes of the reserved type 0: malformed, not published',
      labelNames: ['route_type'],
      registers: [registry],
    }),
    undecodedRoutes: new Counter({
      name: 'evpnlens_evpn_routes_undecoded_total',
      help: 'EVPN route events of route types published raw (RD where the type has one), by type',
      labelNames: ['route_type'],
      registers: [registry],
    }),
    truncatedSessions: new Counter({
      name: 'evpnlens_bmp_truncated_sessions_total',
      help: 'BMP sessions that ended in the middle of a message (the partial message is dropped)',
      registers: [registry],
    }),
    takeovers: new Counter({
      name: 'evpnlens_bmp_session_takeovers_total',
      help: 'Routers that reconnected while their previous BMP session still looked alive (that session was closed)',
      registers: [registry],
    }),
    unknownTypes: new Counter({
      name: 'evpnlens_bmp_unknown_message_types_total',
      help: 'BMP messages of unknown type skipped (RFC 7854 4.1)',
      registers: [registry],
    }),
    eventsProduced: new Counter({
      name: 'evpnlens_kafka_events_produced_total',
      help: 'Events acknowledged by Kafka',
      labelNames: ['topic'],
      registers: [registry],
    }),
    recordsProduced: new Counter({
      name: 'evpnlens_kafka_records_produced_total',
      help: 'Kafka records acknowledged (a route record packs many events)',
      labelNames: ['topic'],
      registers: [registry],
    }),
    eventsDropped: new Counter({
      name: 'evpnlens_kafka_events_dropped_total',
      help: 'Events in records Kafka refused for good (too large or invalid)',
      labelNames: ['topic'],
      registers: [registry],
    }),
    produceErrors: new Counter({ name: 'evpnlens_kafka_produce_errors_total', help: 'Failed produce attempts (retried)', registers: [registry] }),
    backpressureSeconds: new Counter({
      name: 'evpnlens_bmp_backpressure_seconds_total',
      help: 'Time router sockets spent paused waiting for Kafka',
      registers: [registry],
    }),
    bufferedBytes: new Gauge({ name: 'evpnlens_kafka_buffered_bytes', help: 'Event bytes waiting for Kafka', registers: [registry] }),
    routesHeld: new Gauge({
      name: 'evpnlens_collector_routes_held',
      help: 'Routes held in the collector state',
      registers: [registry],
      collect() {
        this.set(routesHeld());
      },
    }),
  };
  return m;
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
