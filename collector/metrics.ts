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
      help: 'Malformed messages skipped (session kept) or framing errors (session closed)',
      labelNames: ['kind'],
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
