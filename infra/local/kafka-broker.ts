/**
 * A real Apache Kafka 4.x broker for the local stack and the tests: KRaft, one node acting as broker and controller,
 * on 127.0.0.1, started with `java` from the Maven-resolved jars. Settings a one-node cluster needs
 * (replication factor 1 for internal topics, no initial rebalance delay) are set here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DEFAULT_PARTITIONS } from '../../schemas/topics.js';
import { delay, throwIfAborted } from './abortable.js';
import { LocalRuntimeError, PortInUseError, StartAbortedError } from './errors.js';
import { freePort } from './free-port.js';
import { assertCommand, ensureKafkaJars } from './kafka-jars.js';

export interface StartKafkaOptions {
  /** Persistent data directory (kept across restarts); a temporary one, removed on stop, when omitted. */
  dataDir?: string;
  host?: string;
  /** 0 = pick a free port (with controllerPort: both or neither are given). */
  port?: number;
  controllerPort?: number;
  /** How free ports are picked (tests force collisions); freePort by default. */
  allocatePort?: PortAllocator;
  /** Where the broker's stdout/stderr go; `<dataDir>/broker.log` by default. */
  logFile?: string;
  partitions?: number;
  heap?: string;
  log?: (line: string) => void;
  startTimeoutMs?: number;
  /** How long stop() lets the broker shut down cleanly before SIGKILL (its log recovers from an unclean stop). */
  stopTimeoutMs?: number;
  retention?: BrokerRetention;
  /** Cancels the start: the broker (or the format tool) is killed and the start rejects with StartAbortedError. */
  signal?: AbortSignal;
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

export type PortAllocator = (host: string) => Promise<number>;

/**
 * `count` distinct free ports. Kafka's listeners must be written into server.properties before the JVM starts, so they
 * cannot be held open until use: the set is checked for duplicates (freePort closes its socket, and the kernel may hand
 * the same port out twice), and a broker that still fails to bind is started again on a new set (startKafka).
 */
export async function allocatePorts(count: number, host: string, allocate: PortAllocator = freePort): Promise<number[]> {
  const ports = new Set<number>();
  for (let tries = 0; ports.size < count; tries++) {
    if (tries >= count * 20) throw new LocalRuntimeError(`could not find ${count} distinct free ports on ${host} (${tries} tries)`);
    ports.add(await allocate(host));
  }
  return [...ports];
}

/** Kafka's Uuid zero and metadata-topic ids (org.apache.kafka.common.Uuid.RESERVED), never used as a cluster id. */
const RESERVED_IDS = new Set(['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAQ']);

/**
 * A cluster id as `kafka-storage random-uuid` makes it (org.apache.kafka.common.Uuid.randomUuid): 16 random bytes in
 * base64url without padding, drawn again while it starts with '-' (such an id would parse as a command-line flag) or is
 * reserved.
 */
export function kafkaClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-') && !RESERVED_IDS.has(id)) return id;
  }
}

/** `kafka-storage format` arguments; `--cluster-id=ID` in one word, so that no id can be taken for a flag. */
export function storageFormatArgs(clusterId: string, propsFile: string): string[] {
  return ['format', `--cluster-id=${clusterId}`, '-c', propsFile, '--standalone'];
}

/** The first of these ports another process listens on now (`HOST:PORT`), or undefined. */
async function heldPort(host: string, ports: number[]): Promise<string | undefined> {
  for (const port of ports) {
    const held = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
      probe.listen(port, host, () => probe.close(() => resolve(false)));
    });
    if (held) return `${host}:${port}`;
  }
  return undefined;
}

/** The address a broker's log says it could not bind (SocketServer: "Socket server failed to bind to HOST:PORT: …"). */
export function bindFailure(logText: string): string | undefined {
  return /failed to bind to (\S+?:\d+)/.exec(logText)?.[1];
}

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
async function waitForExit(child: ChildProcess, what: string, logFile: string, signal?: AbortSignal): Promise<void> {
  // 'close', not 'exit': the output pipes are drained into the log by then.
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  const kill = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', kill, { once: true });
  const [code, sig] = await closed.finally(() => signal?.removeEventListener('abort', kill));
  throwIfAborted(signal, what);
  if (code === 0) return;
  throw new LocalRuntimeError(`${what} exited with ${code ?? sig}; end of ${logFile}:\n${logTail(readLogFrom(logFile, 0))}`);
}

/** What the log holds from byte `offset` on ('' when it cannot be read: the log is a courtesy). */
function readLogFrom(logFile: string, offset: number): string {
  try {
    const size = statSync(logFile).size;
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    const fd = openSync(logFile, 'r');
    try {
      readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8');
  } catch {
    return '';
  }
}

const logTail = (text: string) => text.trimEnd().split('\n').slice(-15).join('\n');
const logSize = (logFile: string) => (existsSync(logFile) ? statSync(logFile).size : 0);

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

/** How many times a broker whose freshly picked ports were taken meanwhile is started again on new ones. */
const BIND_ATTEMPTS = 4;

export async function startKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  const log = opts.log ?? (() => undefined);
  const signal = opts.signal;
  assertCommand('java', ['-version'], 'Java 17+ (for the Kafka broker)');
  const libs = await ensureKafkaJars(log);
  throwIfAborted(signal, 'Kafka broker start');
  const host = opts.host ?? '127.0.0.1';
  const temporary = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'evpn-lens-kafka-'));
  const logDir = join(dataDir, 'log');
  mkdirSync(dataDir, { recursive: true });
  const props = join(dataDir, 'server.properties');
  const log4j = join(dataDir, 'log4j.properties');
  const logFile = opts.logFile ?? join(dataDir, 'broker.log');
  const classpath = `${libs}/*`;
  // Given ports (a restart keeps its clients' addresses) are used as they are; picked ones are picked again on a bind failure.
  const fixed = Boolean(opts.port && opts.controllerPort);
  const pickPorts = async (): Promise<[number, number]> => {
    if (fixed) return [opts.port!, opts.controllerPort!];
    // Three picked, so that two differ from a port given for one listener.
    const picked = await allocatePorts(3, host, opts.allocatePort);
    const port = opts.port || picked[0]!;
    return [port, opts.controllerPort || picked.find((p) => p !== port)!];
  };
  const cleanUp = () => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  writeFileSync(log4j, LOG4J);
  try {
    for (let attempt = 1; ; attempt++) {
      const [port, controllerPort] = await pickPorts();
      // Ports may change between restarts of a persistent broker; the KRaft metadata does not record them.
      writeFileSync(
        props,
        brokerProperties({ host, port, controllerPort, logDir, partitions: opts.partitions ?? DEFAULT_PARTITIONS, retention: opts.retention }),
      );
      if (!existsSync(join(logDir, 'meta.properties'))) {
        const format = runJava(
          ['-Xmx256m', '-cp', classpath, `-Dlog4j.configuration=file:${log4j}`, 'kafka.tools.StorageTool', ...storageFormatArgs(kafkaClusterId(), props)],
          logFile,
        );
        await waitForExit(format, 'kafka-storage format', logFile, signal);
      }
      const broker = await launchBroker({ host, port, controllerPort, dataDir, props, log4j, classpath, logFile, opts, log, temporary });
      if (broker.ok) return broker.broker;
      // The log names the address it could not bind; when the JVM died of that bind before it logged it (its shutdown
      // can race the log manager's start-up), a port someone else holds now says the same.
      const taken = broker.bindFailure ?? (await heldPort(host, [port, controllerPort]));
      if (taken === undefined) throw new LocalRuntimeError(`Kafka broker exited during start (${broker.exit}); end of ${logFile}:\n${logTail(broker.logText)}`);
      if (fixed || attempt >= BIND_ATTEMPTS) {
        throw new PortInUseError(`Kafka broker could not listen on ${taken}: the port is in use by another process; see ${logFile}`);
      }
      log(`Kafka broker could not listen on ${taken} (taken meanwhile by another process); starting it on other ports (attempt ${attempt + 1})`);
    }
  } catch (err) {
    cleanUp();
    throw err;
  }
}

interface Launch {
  host: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  props: string;
  log4j: string;
  classpath: string;
  logFile: string;
  opts: StartKafkaOptions;
  log: (line: string) => void;
  temporary: boolean;
}

type LaunchResult = { ok: true; broker: KafkaBroker } | { ok: false; exit: string; bindFailure: string | undefined; logText: string };

/** Starts the broker JVM and waits until it answers; a broker that exits first is reported with what its log says. */
async function launchBroker(l: Launch): Promise<LaunchResult> {
  const { opts, logFile } = l;
  const signal = opts.signal;
  const logFrom = logSize(logFile);
  const child = runJava(
    [
      `-Xmx${opts.heap ?? '768m'}`,
      '-Xms128m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${l.log4j}`,
      '-cp',
      l.classpath,
      'kafka.Kafka',
      l.props,
    ],
    logFile,
  );
  let exited = false;
  let exitAs = '';
  const exitedP = new Promise<void>((r) => child.once('exit', () => r()));
  const closedP = new Promise<void>((r) => child.once('close', () => r()));
  // A parent that exits without calling stop() (process.exit, an uncaught error) must not leave a broker behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.on('exit', (code, sig) => {
    exited = true;
    exitAs = `exit ${code ?? sig}`;
    process.off('exit', killOnExit);
  });
  const killNow = async () => {
    if (!exited) child.kill('SIGKILL');
    await exitedP;
  };
  const brokers = [`${l.host}:${l.port}`];
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  l.log(`starting Kafka broker on ${brokers[0]} (data ${l.dataDir})`);
  while (!(await brokerIsUp(brokers))) {
    if (signal?.aborted) {
      await killNow();
      throw new StartAbortedError('Kafka broker start cancelled', { cause: signal.reason });
    }
    // A JVM that could not bind takes tens of seconds to shut itself down: its log says so at once.
    const taken = bindFailure(readLogFrom(logFile, logFrom));
    if (exited || taken) {
      if (taken) await killNow();
      // The pipes are drained into the log once the child has closed them (bounded: a grandchild could hold them).
      await Promise.race([closedP, delay(2_000)]);
      const logText = readLogFrom(logFile, logFrom);
      return { ok: false, exit: exitAs, bindFailure: bindFailure(logText), logText };
    }
    if (Date.now() > deadline) {
      await killNow();
      throw new LocalRuntimeError(`Kafka broker did not answer on ${brokers[0]} within the start timeout; see ${logFile}`);
    }
    await delay(250, signal);
  }
  if (signal?.aborted) {
    await killNow();
    throw new StartAbortedError('Kafka broker start cancelled', { cause: signal.reason });
  }
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.stopTimeoutMs ?? 10_000);
      await exitedP;
      clearTimeout(timer);
    }
    if (l.temporary) rmSync(l.dataDir, { recursive: true, force: true });
  };
  return { ok: true, broker: { brokers, controllerPort: l.controllerPort, dataDir: l.dataDir, pid: child.pid, exited: exitedP, stop } };
}
