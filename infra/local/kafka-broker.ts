/**
 * A real Apache Kafka 4.x broker for the local stack and the tests: KRaft, one node acting as broker and controller,
 * on 127.0.0.1, started with `java` from the Maven-resolved jars. Settings a one-node cluster needs
 * (replication factor 1 for internal topics, no initial rebalance delay) are set here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_PARTITIONS } from '../../schemas/topics.js';
import { LocalRuntimeError } from './errors.js';
import { freePort } from './free-port.js';
import { assertCommand, ensureKafkaJars } from './kafka-jars.js';

export interface StartKafkaOptions {
  /** Persistent data directory (kept across restarts); a temporary one, removed on stop, when omitted. */
  dataDir?: string;
  host?: string;
  /** 0 = pick a free port. */
  port?: number;
  controllerPort?: number;
  /** Where the broker's stdout/stderr go; `<dataDir>/broker.log` by default. */
  logFile?: string;
  partitions?: number;
  heap?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** How long stop() lets the broker shut down cleanly before SIGKILL (its log recovers from an unclean stop). */
  stopTimeoutMs?: number;
  retention?: BrokerRetention;
}

/** How long, and how much per partition, the broker keeps (7 days and no size cap by default). */
export interface BrokerRetention {
  hours: number;
  bytesPerPartition?: number;
}

export interface KafkaBroker {
  brokers: string[];
  controllerPort: number;
  dataDir: string;
  pid: number | undefined;
  /** Resolves when the broker process exited, for whatever reason (a supervisor watches it). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export function brokerProperties(o: {
  host: string;
  port: number;
  controllerPort: number;
  logDir: string;
  partitions: number;
  retention?: BrokerRetention;
}): string {
  const retentionMs = Math.round((o.retention?.hours ?? 168) * 3_600_000);
  const capBytes = o.retention?.bytesPerPartition;
  // Retention deletes whole closed segments only: segments roll at a seventh of the retention time and a quarter of the
  // size cap, so that what is kept stays within about 1.15x of either bound.
  const segmentBytes = capBytes ? Math.min(128 * 1024 * 1024, Math.max(1024 * 1024, Math.floor(capBytes / 4))) : 128 * 1024 * 1024;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${o.host}:${o.controllerPort}`,
    `listeners=PLAINTEXT://${o.host}:${o.port},CONTROLLER://${o.host}:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${o.host}:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${o.logDir}`,
    `num.partitions=${o.partitions}`,
    // One node: every internal topic has one replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=12',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    // Consumers of the local event-source runner should not wait 3 s for a rebalance that has nobody else to wait for.
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    `log.retention.ms=${retentionMs}`,
    `log.roll.ms=${Math.max(60_000, Math.round(retentionMs / 7))}`,
    `log.retention.bytes=${capBytes ?? -1}`,
    `log.segment.bytes=${segmentBytes}`,
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

function runJava(args: string[], logFile: string): ChildProcess {
  const out = createWriteStream(logFile, { flags: 'a' });
  // Its own process group: a Ctrl-C in the terminal (SIGINT to the whole foreground group) must not stop the broker
  // before the stack has flushed to it and left its consumer groups; the stack stops it last.
  const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

/** Waits for a one-shot java tool; a failure carries the end of its log, since its cause is only written there. */
async function waitForExit(child: ChildProcess, what: string, logFile: string): Promise<void> {
  // 'close', not 'exit': the output pipes are drained into the log by then.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  if (code === 0) return;
  let tail = '';
  try {
    tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    // The log is a courtesy: the exit code is still reported.
  }
  throw new LocalRuntimeError(`${what} exited with ${code ?? signal}; end of ${logFile}:\n${tail}`);
}

async function brokerIsUp(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ clientId: 'evpn-lens-probe', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const log = opts.log ?? (() => undefined);
  assertCommand('java', ['-version'], 'Java 17+ (for the Kafka broker)');
  const libs = await ensureKafkaJars(log);
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port || (await freePort(host));
  const controllerPort = opts.controllerPort || (await freePort(host));
  const temporary = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'evpn-lens-kafka-'));
  const logDir = join(dataDir, 'log');
  mkdirSync(dataDir, { recursive: true });
  const props = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  const logFile = opts.logFile ?? join(dataDir, 'broker.log');
  // Ports may change between restarts of a persistent broker; the KRaft metadata does not record them.
  writeFileSync(props, brokerProperties({ host, port, controllerPort, logDir, partitions: opts.partitions ?? DEFAULT_PARTITIONS, retention: opts.retention }));
  writeFileSync(log4j, LOG4J);
  const classpath = `${libs}/*`;
  if (!existsSync(join(logDir, 'meta.properties'))) {
    const clusterId = randomBytes(16).toString('base64url');
    await waitForExit(
      runJava(
        [
          '-Xmx256m',
          '-cp',
          classpath,
          `-Dlog4j.configuration=file:${log4j}`,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          clusterId,
          '-c',
          props,
          '--standalone',
        ],
        logFile,
      ),
      'kafka-storage format',
      logFile,
    );
  }
  const child = runJava(
    [
      `-Xmx${opts.heap ?? '768m'}`,
      '-Xms128m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4j}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      props,
    ],
    logFile,
  );
  let exited = false;
  const exitedP = new Promise<void>((r) => child.once('exit', () => r()));
  // A parent that exits without calling stop() (process.exit, an uncaught error) must not leave a broker behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.on('exit', () => {
    exited = true;
    process.off('exit', killOnExit);
  });
  const brokers = [`${host}:${port}`];
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  log(`starting Kafka broker on ${brokers[0]} (data ${dataDir})`);
  while (!(await brokerIsUp(brokers))) {
    if (exited) throw new LocalRuntimeError(`Kafka broker exited during start; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalRuntimeError(`Kafka broker did not answer on ${brokers[0]} within the start timeout; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async (): Promise<void> => {
    if (!exited) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.stopTimeoutMs ?? 10_000);
      await gone;
      clearTimeout(timer);
    }
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  return { brokers, controllerPort, dataDir, pid: child.pid, exited: exitedP, stop };
}
