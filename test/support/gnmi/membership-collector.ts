/**
 * One collector process for the gNMI membership test: dials its share of the targets in MEMBERSHIP_COLLECTOR (JSON:
 * brokers, groupId, topic, slots, sessionTimeoutMs, targets [{ name, address }]) and prints a JSON line
 * { dialing, connected } each time either set changes. Run with `node --import tsx`.
 */
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { createKafkaPublisher, startCollector } from '../../../collector/index.js';
import { gnmiCollectorConfig, gnmiSchema } from '../../../infra/config/gnmi-schema.js';

const o = JSON.parse(process.env.MEMBERSHIP_COLLECTOR ?? '{}') as {
  brokers: string[];
  groupId: string;
  topic: string;
  slots: number;
  sessionTimeoutMs: number;
  targets: { name: string; address: string }[];
};
const kafka = new Kafka({ clientId: 'membership-test', brokers: o.brokers, logLevel: logLevel.NOTHING });
const gnmi = gnmiCollectorConfig(
  gnmiSchema.parse({
    targets: o.targets.map((t) => ({ ...t, fabric: 'dc1', tls: { enabled: false }, subscriptions: ['vxlan'] })),
    subscriptions: { vxlan: { mode: 'on-change', paths: ['openconfig:/network-instances'] } },
  }),
  {},
);
const collector = await startCollector({
  listen: { host: '127.0.0.1', port: 0 },
  fabrics: [],
  logger: pino({ level: 'warn' }, pino.destination(2)),
  publisher: (metrics) => createKafkaPublisher({ kafka, metrics }),
  gnmi: { ...gnmi, timers: { ...gnmi.timers, reconnectMinMs: 200, reconnectMaxMs: 1_000 } },
  gnmiMembership: { kafka, groupId: o.groupId, topic: o.topic, slots: o.slots, sessionTimeoutMs: o.sessionTimeoutMs },
});
let last = '';
setInterval(() => {
  const sessions = collector.gnmi?.sessions ?? [];
  const line = JSON.stringify({
    dialing: sessions.map((s) => s.name).sort(),
    connected: sessions
      .filter((s) => s.connected)
      .map((s) => s.name)
      .sort(),
  });
  if (line !== last) process.stdout.write(`${line}\n`);
  last = line;
}, 100);
process.on('SIGTERM', () => void collector.stop().then(() => process.exit(0)));
