/**
 * The Go gNMI peers, built from the Go module proxy by scripts/go-peers.mjs (the pre-test step builds them; this builds
 * them too when a test runs first): `gnmi-target` (test/peers/gnmi-target, on openconfig/gnmi v0.14.1's cache and
 * subscribe packages) and openconfig/gnmi's `fake_server`.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { INotification, IPath, ISubscribeResponse, ITypedValue } from '../../../schemas/gnmi.js';

const root = resolve(import.meta.dirname, '../../..');
let binDir: string | undefined;

export function goPeerBinary(name: 'gnmi-target' | 'fake_server'): string {
  if (!binDir) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/go-peers.mjs')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the Go gNMI peers failed: ${r.stderr || r.stdout}`);
    binDir = r.stdout.trim().split('\n').pop()!;
  }
  return join(binDir, name);
}

export interface GoTarget {
  address: string;
  port: number;
  /** Applies commands (see test/peers/gnmi-target/main.go) and resolves once the harness has. */
  send(...commands: object[]): Promise<void>;
  stderr(): string;
  stop(): Promise<void>;
}

/** A Notification in protobuf JSON (what the harness's protojson reads): 64-bit values as strings, bytes as base64. */
export function notificationJson(n: INotification): object {
  const path = (p: IPath | null | undefined) =>
    p
      ? { origin: p.origin || undefined, target: p.target || undefined, elem: (p.elem ?? []).map((e) => ({ name: e.name, key: e.key ?? undefined })) }
      : undefined;
  const value = (v: ITypedValue | null | undefined): object => {
    if (!v) return {};
    if (v.uintVal != null) return { uintVal: v.uintVal.toString() };
    if (v.intVal != null) return { intVal: v.intVal.toString() };
    if (v.stringVal != null) return { stringVal: v.stringVal };
    if (v.boolVal != null) return { boolVal: v.boolVal };
    if (v.jsonIetfVal != null) return { jsonIetfVal: Buffer.from(v.jsonIetfVal).toString('base64') };
    if (v.jsonVal != null) return { jsonVal: Buffer.from(v.jsonVal).toString('base64') };
    throw new Error('value type not supported by notificationJson');
  };
  return {
    timestamp: n.timestamp ? n.timestamp.toString() : undefined,
    prefix: path(n.prefix),
    update: (n.update ?? []).map((u) => ({ path: path(u.path), val: value(u.val) })),
    delete: (n.delete ?? []).map(path),
    atomic: n.atomic || undefined,
  };
}

export async function startGoTarget(o: {
  targets: string[];
  tls?: { cert: string; key: string; clientCa?: string };
  credentials?: { username: string; password: string };
  /** Paths (element names, `/a/b`) the target answers UNIMPLEMENTED for. */
  unimplemented?: string[];
  host?: string;
}): Promise<GoTarget> {
  const args = ['--listen', `${o.host ?? '127.0.0.1'}:0`, '--targets', o.targets.join(',')];
  if (o.tls) args.push('--cert', o.tls.cert, '--key', o.tls.key, ...(o.tls.clientCa ? ['--client-ca', o.tls.clientCa] : []));
  if (o.credentials) args.push('--username', o.credentials.username, '--password', o.credentials.password);
  if (o.unimplemented?.length) args.push('--unimplemented', o.unimplemented.join(','));
  const child: ChildProcessWithoutNullStreams = spawn(goPeerBinary('gnmi-target'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + String(d)).slice(-20_000)));
  const lines = createInterface({ input: child.stdout });
  const waiters: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((res, rej) => {
      const t = setTimeout(() => rej(new Error(`gnmi-target said nothing; stderr: ${stderr}`)), 15_000);
      waiters.push((l) => {
        clearTimeout(t);
        res(l);
      });
    });
  const first = await nextLine();
  const m = /^LISTENING (.+):(\d+)$/.exec(first);
  if (!m) throw new Error(`gnmi-target: unexpected first line ${first}; stderr: ${stderr}`);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let sent = 0;
  // Sends one at a time: a test's sends and a background feeder's would otherwise take each other's DONE lines.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    address: `${o.host ?? '127.0.0.1'}:${m[2]}`,
    port: Number(m[2]),
    send(...commands) {
      const run = queue.then(async () => {
        for (const c of commands) {
          sent++;
          const done = nextLine();
          child.stdin.write(`${JSON.stringify(c)}\n`);
          const line = await done;
          if (line !== `DONE ${sent}`) throw new Error(`gnmi-target: expected DONE ${sent}, got ${line}; stderr: ${stderr}`);
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    stderr: () => stderr,
    async stop() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** A value of a SubscribeResponse in protobuf text format (the fake_server's configuration). */
function prototext(r: ISubscribeResponse): string {
  const q = (s: string) => JSON.stringify(s);
  const path = (name: string, p: IPath | null | undefined) =>
    p
      ? `${name} { ${p.origin ? `origin: ${q(p.origin)} ` : ''}${p.target ? `target: ${q(p.target)} ` : ''}${(p.elem ?? [])
          .map(
            (e) =>
              `elem { name: ${q(e.name!)} ${Object.entries(e.key ?? {})
                .map(([k, v]) => `key { key: ${q(k)} value: ${q(v)} } `)
                .join('')}}`,
          )
          .join(' ')} }`
      : '';
  const val = (v: ITypedValue | null | undefined) => {
    if (!v) return '';
    if (v.uintVal != null) return `val { uint_val: ${v.uintVal.toString()} }`;
    if (v.stringVal != null) return `val { string_val: ${q(v.stringVal)} }`;
    if (v.jsonIetfVal != null) return `val { json_ietf_val: ${q(Buffer.from(v.jsonIetfVal).toString())} }`;
    throw new Error('value type not supported by prototext');
  };
  if (r.syncResponse) return 'responses { sync_response: true }';
  const n = r.update!;
  return `responses { update { timestamp: ${n.timestamp?.toString() ?? 0} ${path('prefix', n.prefix)} ${(n.update ?? [])
    .map((u) => `update { ${path('path', u.path)} ${val(u.val)} }`)
    .join(' ')} } }`;
}

/** openconfig/gnmi's fake_server: TLS always; replays `responses` to every Subscribe, then holds the stream open. */
export async function startFakeServer(o: { target: string; cert: string; key: string; clientCa?: string; responses: ISubscribeResponse[] }): Promise<GoTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'evpn-lens-fake-server-'));
  const config = join(dir, 'config.pb.txt');
  writeFileSync(
    config,
    `target: ${JSON.stringify(o.target)}\nclient_type: GRPC_GNMI\ndisable_eof: true\nfixed {\n${o.responses.map(prototext).join('\n')}\n}\n`,
  );
  const args = ['--config', config, '--text', '--port', '0', '--server_crt', o.cert, '--server_key', o.key, '--logtostderr'];
  if (o.clientCa) args.push('--ca_crt', o.clientCa);
  else args.push('--allow_no_client_auth');
  const child = spawn(goPeerBinary('fake_server'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const port = await new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`fake_server did not start: ${stderr}`)), 15_000);
    child.stderr.on('data', (d) => {
      stderr = (stderr + String(d)).slice(-20_000);
      const m = /Starting RPC server on address: .*:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(t);
        res(Number(m[1]));
      }
    });
    child.once('exit', (code) => rej(new Error(`fake_server exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    address: `127.0.0.1:${port}`,
    port,
    send: async () => {
      throw new Error('fake_server replays a fixed script');
    },
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
