/**
 * The bundles are real: each function's esbuild output (what the CDK app deploys) runs in the local stack's event
 * source runner against the real broker and dynalite, beside the TypeScript source fed the same records, and builds the
 * same tables; the API, scheduled-task and the MAC index's partial-failure paths run from their bundles too.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { partitionOfKey } from '../../../collector/publish/murmur2.js';
import type { ApiHandler } from '../../../functions/api/handler.js';
import type { MskHandler } from '../../../functions/shared/msk.js';
import { createFunctionContext, type FunctionContext } from '../../../infra/catalog/context.js';
import { FUNCTIONS } from '../../../infra/catalog/functions.js';
import { parseConfig } from '../../../infra/config/load-config.js';
import { ensureTables } from '../../../infra/local/ensure-tables.js';
import { createEventSourceRunner, type EventSourceRunner } from '../../../infra/local/event-source-runner.js';
import { createKafkaAlertPublisher } from '../../../infra/local/kafka-alert-publisher.js';
import { RouteEventBatch } from '../../../schemas/events.js';
import { TABLES, tableName } from '../../../schemas/tables/index.js';
import { TOPICS } from '../../../schemas/topics.js';
import { testBuildRoot } from '../../support/cdk-deployment.js';
import { macRoute } from '../../support/route-events.js';
import { brokers, ddb, dynamodbEndpoint, kafkaClient, uniqueName, waitFor } from '../support/env.js';

const PARTITIONS = 6; // the integration broker's topics (global setup)
const YAML = (prefix: string, logLevel = 'warn') => `logLevel: ${logLevel}
fabrics:
  - name: dc1
    match: { addresses: [10.1.0.0/16] }
  - name: dc2
    match: { addresses: [10.2.0.0/16] }
dynamodb:
  tablePrefix: ${prefix}
macIndex:
  sweepSeconds: 60
`;

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
});

/** Imports a bundle as Lambda would load it, with `env` as its environment at cold start. */
async function loadBundle<T>(id: string, env: Record<string, string>): Promise<T> {
  const root = await testBuildRoot();
  const dir = id === 'scheduled' ? 'scheduled' : id;
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const mod = (await import(`${pathToFileURL(join(root, 'dist', 'lambda', dir, 'index.mjs')).href}?${uniqueName('cold')}`)) as { handler: T };
    return mod.handler;
  } finally {
    process.env = saved;
  }
}

function bundleEnv(prefix: string, extra: Record<string, string> = {}, logLevel?: string): Record<string, string> {
  const file = join(mkdtempSync(join(tmpdir(), 'evpn-cfg-')), 'evpn-lens.yaml');
  writeFileSync(file, YAML(prefix, logLevel));
  return {
    EVPN_LENS_CONFIG: `file:${file}`,
    DYNAMODB_ENDPOINT: dynamodbEndpoint(),
    AWS_REGION: 'us-east-1',
    KAFKA_BROKERS: brokers().join(','),
    KAFKA_AUTH: 'none',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...extra,
  };
}

async function sourceContext(prefix: string): Promise<FunctionContext> {
  const alerts = await createKafkaAlertPublisher(brokers());
  closers.push(alerts.close);
  return createFunctionContext({ cfg: parseConfig(parseYaml(YAML(prefix))), ddb: ddb().doc, logger: pino({ level: 'silent' }), alertPublisher: () => alerts });
}

async function startRunner(groupPrefix: string, mappings: { name: string; topics: string[]; handler: MskHandler }[]): Promise<EventSourceRunner> {
  const runner = createEventSourceRunner({
    brokers: brokers(),
    groupPrefix,
    retryBackoffMs: { initial: 50, max: 200 },
    mappings: mappings.map((m) => ({ ...m, batchSize: 200, batchingWindowMs: 50, startingPosition: 'LATEST' as const })),
  });
  closers.push(runner.stop);
  await runner.start();
  await waitFor(() => runner.isReady() || undefined, 'consumer groups joined', 60_000);
  return runner;
}

/** Route events as the collector publishes them: keyed by MAC on its murmur2 partition, one RouteEventBatch a record. */
async function publishRoutes(events: ReturnType<typeof macRoute>[]): Promise<void> {
  const producer = kafkaClient('bundles-test').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: TOPICS.routes,
    acks: -1,
    messages: events.map((ev) => ({
      key: ev.mac!,
      partition: partitionOfKey(ev.mac!, PARTITIONS),
      value: Buffer.from(RouteEventBatch.encode({ events: [ev] }).finish()),
    })),
  });
  await producer.disconnect();
}

/** A workload with appearances, moves across fabrics, a flap, IP bindings and withdrawals. */
function workload(tag: string) {
  const mac = (i: number) => `02:${tag}:00:00:00:${i.toString(16).padStart(2, '0')}`;
  const evs: ReturnType<typeof macRoute>[] = [];
  for (let i = 0; i < 40; i++) evs.push(macRoute({ mac: mac(i), vtep: `10.1.0.${i % 8}`, fabric: 'dc1', ip: `192.168.${i}.1` }));
  for (let i = 0; i < 10; i++) evs.push(macRoute({ mac: mac(i), vtep: `10.2.0.${i}`, fabric: 'dc2', seq: 1, ip: `192.168.${i}.1` }));
  for (let s = 2; s < 9; s++) evs.push(macRoute({ mac: mac(39), vtep: s % 2 ? '10.2.0.9' : '10.1.0.9', fabric: s % 2 ? 'dc2' : 'dc1', seq: s }));
  for (let i = 30; i < 35; i++) evs.push(macRoute({ mac: mac(i), vtep: `10.1.0.${i % 8}`, fabric: 'dc1', ip: `192.168.${i}.1`, withdraw: true }));
  return { evs, macs: Array.from({ length: 40 }, (_, i) => mac(i)) };
}

/**
 * Fabric-status alerts are raised at the health function's clock (when it evaluated), not at an event's time: the two
 * runs raise the same ones a few milliseconds apart. Their times are blanked before comparing.
 */
function blankClock<T>(v: T): T {
  return JSON.parse(
    JSON.stringify(v)
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'T')
      .replace(/\b1[0-9]{12}\b/g, '0'),
  ) as T;
}

/** A table's items without what depends on how records were grouped into invocations (item versions, counter shards). */
async function tableView(table: string): Promise<Record<string, unknown>> {
  const items = (await ddb().doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
  const out: Record<string, unknown> = {};
  const counts: Record<string, number> = {};
  for (const { version: _v, ...item } of items) {
    const m = /^COUNT#(\d+)#\d+$/.exec(String(item.sk));
    if (m) {
      const k = `${item.pk}|${m[1]}`;
      counts[k] = (counts[k] ?? 0) + Number(item.macs ?? 0);
      continue;
    }
    const key = `${item.pk}|${item.sk}`;
    if (key.includes('fabric-status')) out[blankClock(key)] = blankClock(item);
    else out[key] = item;
  }
  return { ...out, counts };
}

describe('function bundles in the local stack', () => {
  let source: { prefix: string; ctx: FunctionContext };
  let bundle: { prefix: string };
  let work: ReturnType<typeof workload>;

  beforeAll(async () => {
    source = { prefix: `${uniqueName('src')}-`, ctx: undefined as never };
    bundle = { prefix: `${uniqueName('bun')}-` };
    await ensureTables(ddb().client, source.prefix);
    await ensureTables(ddb().client, bundle.prefix);
    source.ctx = await sourceContext(source.prefix);
    const consumers = FUNCTIONS.filter((f) => f.consumes);
    // One cold start at a time: loadBundle swaps process.env around each import, which concurrent imports would mix up.
    const bundled: { f: (typeof consumers)[number]; handler: MskHandler }[] = [];
    for (const f of consumers) bundled.push({ f, handler: await loadBundle<MskHandler>(f.id, bundleEnv(bundle.prefix)) });
    const byId = {
      'mac-index': () => source.ctx.macIndex(),
      health: () => source.ctx.health(),
      'route-index': () => source.ctx.routeIndex(),
      // No alert sink is configured here: the notifier takes its records and delivers nothing (tested in test/integration/notify).
      notify: () => async () => undefined,
    } as Record<string, () => MskHandler>;
    await startRunner(
      source.prefix,
      consumers.map((f) => ({ name: f.id, topics: [...f.consumes!.topics], handler: byId[f.id]!() })),
    );
    const runner = await startRunner(
      bundle.prefix,
      bundled.map(({ f, handler }) => ({ name: f.id, topics: [...f.consumes!.topics], handler })),
    );
    work = workload('b1');
    await publishRoutes(work.evs);
    await waitFor(
      async () => {
        const items = (await ddb().doc.send(new ScanCommand({ TableName: tableName('index', bundle.prefix), Select: 'COUNT' }))).Count ?? 0;
        const lag = Object.values(await runner.lag()).reduce((a, b) => a + b, 0);
        return items > 0 && lag === 0 ? true : undefined;
      },
      'the bundles caught up',
      120_000,
      250,
    );
    await waitFor(
      async () => (JSON.stringify(await tableView(tableName('index', source.prefix))).includes(work.macs[0]!) ? true : undefined),
      'the source caught up',
      60_000,
    );
    // Alerts re-published between the consumers (the health function's fabric status from the MAC index's flap alert)
    // settle later under load: wait until both index tables hold the same items, not a fixed time.
    const keysOf = async (prefix: string) => JSON.stringify(Object.keys(await tableView(tableName('index', prefix))).sort());
    await waitFor(async () => ((await keysOf(source.prefix)) === (await keysOf(bundle.prefix)) ? true : undefined), 'both index tables settled', 60_000, 500);
    await new Promise((r) => setTimeout(r, 1_000));
  }, 240_000);

  it('builds the same MAC index from the bundle as from the TypeScript source', async () => {
    const [a, b] = await Promise.all([tableView(tableName('index', source.prefix)), tableView(tableName('index', bundle.prefix))]);
    expect(Object.keys(a).filter((k) => k.startsWith('MAC#')).length).toBe(40);
    expect(b).toEqual(a);
  });

  it('builds the same table with every consumer bundle', async () => {
    for (const def of TABLES) {
      const [a, b] = await Promise.all([tableView(tableName(def.id, source.prefix)), tableView(tableName(def.id, bundle.prefix))]);
      expect(Object.keys(a).length, def.id).toBeGreaterThan(0);
      // Items and their values, not only their keys (times blanked: each run's clock stamps its own).
      expect(blankClock(b), def.id).toEqual(blankClock(a));
    }
  });

  it('answers the API from its bundle as the source does', async () => {
    const api = await loadBundle<ApiHandler>('api', bundleEnv(bundle.prefix));
    const src = source.ctx.api();
    const get = (rawPath: string, q?: Record<string, string>) =>
      ({ rawPath, queryStringParameters: q, requestContext: { http: { method: 'GET' } } }) as unknown as APIGatewayProxyEventV2;
    for (const [path, q] of [[`/v1/hosts/${work.macs[3]}`], ['/v1/hosts', { ip: '192.168.3.1' }], ['/v1/vnis/10100/hosts'], ['/v1/alerts']] as const) {
      const [x, y] = await Promise.all([src(get(path, q)), api(get(path, q))]);
      expect((y as { statusCode: number }).statusCode, path).toBe(200);
      const body = (r: unknown) => JSON.parse((r as { body: string }).body) as { alerts?: { type: string }[] };
      const [a, b] = [body(x), body(y)].map((v) =>
        v.alerts ? { ...v, alerts: v.alerts.map((al) => (al.type === 'fabric-status' ? blankClock(al) : al)) } : v,
      );
      expect(b, path).toEqual(a);
    }
  });

  it('runs a scheduled task from the shared bundle', async () => {
    const task = await loadBundle<() => Promise<{ task: string; runs: number; results: unknown[] }>>(
      'scheduled',
      bundleEnv(bundle.prefix, { EVPN_LENS_TASK: 'mac-sweep' }),
    );
    const res = await task();
    expect(res).toMatchObject({ task: 'mac-sweep', runs: 1 });
    expect(res.results[0]).toEqual(await source.ctx.macIndex().sweep());
  });
});

describe('the MAC index bundle under write failures in two partitions', () => {
  it('reports them per partition and, redelivered, skips nothing', async () => {
    // Arrange: a proxy in front of dynalite that refuses the first write of two MACs on two different partitions.
    const prefix = `${uniqueName('fail')}-`;
    await ensureTables(ddb().client, prefix);
    const work = workload('f2');
    const [x, y] = pickOnTwoPartitions(work.macs);
    const refused = new Map([x, y].map((m) => [m, 1]));
    const upstream = new URL(dynamodbEndpoint());
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const target = String(req.headers['x-amz-target'] ?? '');
        const hit = [...refused].find(([mac, left]) => left > 0 && /PutItem|UpdateItem/.test(target) && body.includes(`MAC#${mac}`));
        if (hit) {
          refused.set(hit[0], hit[1] - 1);
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
            .end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'injected' }));
          return;
        }
        const up = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 500, r.headers);
          r.pipe(res);
        });
        up.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => proxy.close(() => r())));
    const handler = await loadBundle<MskHandler>(
      'mac-index',
      bundleEnv(prefix, { DYNAMODB_ENDPOINT: `http://127.0.0.1:${(proxy.address() as { port: number }).port}` }, 'fatal'),
    );
    const responses: unknown[] = [];
    const invocations: string[][] = [];
    const recording: MskHandler = async (event, ctx) => {
      invocations.push(Object.keys(event.records));
      const r = await handler(event, ctx);
      if (r) responses.push(r);
      return r;
    };
    const runner = await startRunner(prefix, [{ name: 'mac-index', topics: [TOPICS.routes], handler: recording }]);

    // Act
    await publishRoutes(work.evs);
    await waitFor(
      async () => ((await runner.lag())['mac-index'] === 0 && refused.get(x) === 0 && refused.get(y) === 0 ? true : undefined),
      'redelivered to the end',
      120_000,
      250,
    );

    // Assert: one response named both failed partitions (several partitions per invocation), and every MAC is indexed.
    const named = responses.flatMap((r) =>
      (r as { batchItemFailures: { itemIdentifier: { partition: string } }[] }).batchItemFailures.map((f) => f.itemIdentifier.partition),
    );
    expect(new Set(named)).toEqual(new Set([x, y].map((m) => `${TOPICS.routes}-${partitionOfKey(m, PARTITIONS)}`)));
    expect(invocations.some((keys) => keys.length > 1)).toBe(true);
    const macs = (await ddb().doc.send(new ScanCommand({ TableName: tableName('index', prefix) }))).Items!.filter((i) => String(i.pk).startsWith('MAC#'));
    const at = (m: string) => macs.find((i) => i.mac === m)?.location?.fabric ?? 'withdrawn';
    const expected = (i: number) => (i >= 30 && i < 35 ? 'withdrawn' : i < 10 ? 'dc2' : 'dc1');
    expect(work.macs.map(at)).toEqual(work.macs.map((_, i) => expected(i)));
  });
});

/** Two MACs whose records sit on different partitions. */
function pickOnTwoPartitions(macs: string[]): [string, string] {
  const first = macs[1]!;
  const other = macs.find((m) => partitionOfKey(m, PARTITIONS) !== partitionOfKey(first, PARTITIONS))!;
  return [first, other];
}
