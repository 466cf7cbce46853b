/**
 * The `evpn-lens demo` lab: two small fabrics of real Debian routers on loopback addresses (127.0.4.0/24 only), each
 * with a BMP exporter and iBGP leaf speakers that originate EVPN type-2 (MAC/IP) and type-3 (inclusive multicast)
 * routes for their VTEP.
 *
 *   dc1: GoBGP exporter 127.0.4.1 (router ID 10.41.255.1) ── iBGP ── leaves l11, l12, l13 (GoBGP, 127.0.4.11–13)
 *   dc2: FRR exporter   127.0.4.2 (router ID 10.42.255.1) ── iBGP ── leaves l21, l22     (GoBGP, 127.0.4.21–22)
 *
 * The exporters reflect nothing between their iBGP leaves, so no leaf hears another's routes: GoBGP applies MAC
 * mobility (RFC 7432 §15) to what it originates, and leaves that heard each other would refuse or renumber the moves
 * the scenario makes (shared/notes/router-peers.md). The scenario: hosts on every leaf; a dual-homed host (one ESI
 * from l11 and l12); a host that moves between dc1 and dc2 every `moveEverySeconds`; one MAC that flaps between l11
 * and l12 every `flapEverySeconds` (a live mac-flap alert).
 */
import { join } from 'node:path';
import { throwIfAborted, untilAborted } from '../local/abortable.js';
import { LocalRuntimeError } from '../local/errors.js';
import { FrrBgpd } from './frr.js';
import { Gobgp } from './gobgp.js';

export const DEMO_FABRICS = [
  { name: 'dc1', description: 'demo fabric exported by GoBGP', match: { routerIds: ['10.41.255.1'] } },
  { name: 'dc2', description: 'demo fabric exported by FRR', match: { routerIds: ['10.42.255.1'] } },
];

/** The MACs the scenario gives a role; `evpn-lens demo` prints `where` commands for them. */
export const DEMO_HOSTS = {
  dualHomed: '02:de:01:00:0d:01',
  mover: '02:de:00:00:0e:01',
  flapper: '02:de:01:00:0f:01',
} as const;

const DUAL_HOMED_ESI = '00:de:00:00:00:00:00:00:01';
const VNIS = [10100, 10200];
/** gobgpd's gRPC API on each router's own address: never clashes with the tests' ports on 127.0.0.1. */
const API_PORT = 50051;

interface Leaf {
  name: string;
  fabric: 'dc1' | 'dc2';
  n: number; // 11 → 127.0.4.11, VTEP 10.41.0.11
  router: Gobgp;
}

export interface DemoLabOptions {
  /** Where the routers keep their configuration (under the stack's data dir, so a killed demo's routers are found). */
  dir: string;
  bmp: { host: string; port: number };
  flapEverySeconds?: number;
  moveEverySeconds?: number;
  log?: (line: string) => void;
  /** Cancels the start (Ctrl-C): the routers started so far are stopped and the start rejects with StartAbortedError. */
  signal?: AbortSignal;
}

export interface DemoLab {
  routers(): { name: string; pid: number | undefined }[];
  /** The routers' process ids (to record in the data dir's lock). */
  pids(): number[];
  stop(): Promise<void>;
}

const vtepOf = (l: Leaf) => `10.${l.fabric === 'dc1' ? 41 : 42}.0.${l.n}`;
const rdOf = (l: Leaf, vni: number) => `${vtepOf(l)}:${vni % 1000}`;
const hex = (n: number) => n.toString(16).padStart(2, '0');
/** 02:de:<fabric>:<leaf>:<vni>:<i>, e.g. 02:de:01:0b:01:02 for host 2 of VNI 10100 behind l11. */
const hostMac = (l: Leaf, vni: number, i: number) => `02:de:${l.fabric === 'dc1' ? '01' : '02'}:${hex(l.n)}:${hex((vni / 100) % 100)}:${hex(i)}`;
const hostIp = (l: Leaf, vni: number, i: number) => `172.${vni === 10100 ? 16 : 17}.${l.fabric === 'dc1' ? 1 : 2}${l.n % 10}.${i}`;

function macArgs(l: Leaf, mac: string, vni: number, o: { ip?: string; esi?: string } = {}): string[] {
  return [
    'macadv',
    mac,
    o.ip ?? '0.0.0.0',
    ...(o.esi ? ['esi', 'ARBITRARY', o.esi] : []),
    'etag',
    '0',
    'label',
    String(vni),
    'rd',
    rdOf(l, vni),
    'rt',
    `65000:${vni}`,
    'encap',
    'vxlan',
    'nexthop',
    vtepOf(l),
  ];
}

export async function startDemoLab(o: DemoLabOptions): Promise<DemoLab> {
  const log = o.log ?? (() => undefined);
  const signal = o.signal;
  const leafSpecs: Omit<Leaf, 'router'>[] = [
    { name: 'l11', fabric: 'dc1', n: 11 },
    { name: 'l12', fabric: 'dc1', n: 12 },
    { name: 'l13', fabric: 'dc1', n: 13 },
    { name: 'l21', fabric: 'dc2', n: 21 },
    { name: 'l22', fabric: 'dc2', n: 22 },
  ];
  const exporter1 = new Gobgp({
    name: 'e1',
    address: '127.0.4.1',
    routerId: '10.41.255.1',
    asn: 65041,
    apiHost: '127.0.4.1',
    apiPort: API_PORT,
    neighbors: leafSpecs.filter((l) => l.fabric === 'dc1').map((l) => ({ address: `127.0.4.${l.n}`, asn: 65041 })),
    bmp: o.bmp,
    dir: join(o.dir, 'e1'),
  });
  // FRR's own temporary directory, not one under the data dir: bgpd reads its files as user frr, who may not be able
  // to traverse the user's folders (a clone in /root).
  const exporter2 = new FrrBgpd({
    hostname: 'dc2-exporter',
    address: '127.0.4.2',
    routerId: '10.42.255.1',
    asn: 65042,
    neighbors: leafSpecs.filter((l) => l.fabric === 'dc2').map((l) => ({ address: `127.0.4.${l.n}`, asn: 65042 })),
    bmp: o.bmp,
  });
  const leaves: Leaf[] = leafSpecs.map((l) => {
    const asn = l.fabric === 'dc1' ? 65041 : 65042;
    const exporter = l.fabric === 'dc1' ? '127.0.4.1' : '127.0.4.2';
    const router = new Gobgp({
      name: l.name,
      address: `127.0.4.${l.n}`,
      routerId: vtepOf(l as Leaf),
      asn,
      apiHost: `127.0.4.${l.n}`,
      apiPort: API_PORT,
      neighbors: [{ address: exporter, asn }],
      dir: join(o.dir, l.name),
    });
    return { ...l, router };
  });
  const all = [exporter1, ...leaves.map((l) => l.router)];
  const timers = new Map<string, NodeJS.Timeout>(); // the next step of each scenario
  let stopped = false;
  // A process that exits without stop() (the shutdown watchdog, an uncaught error) must not leave routers behind.
  const killOnExit = () => {
    for (const pid of [exporter2.pid, ...all.map((r) => r.pid)]) if (pid) process.kill(pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    stopped = true;
    for (const t of timers.values()) clearTimeout(t);
    await Promise.all([exporter2.dispose(), ...all.map((r) => r.dispose())]);
    process.off('exit', killOnExit);
  };

  try {
    log('starting the demo routers: GoBGP exporter 127.0.4.1 (dc1), FRR exporter 127.0.4.2 (dc2), five GoBGP leaves');
    exporter2.start();
    await Promise.all(all.map((r) => r.start(signal)));
    const byName = (n: string) => leaves.find((l) => l.name === n)!;
    const exporterOf = (l: Leaf) => (l.fabric === 'dc1' ? '127.0.4.1' : '127.0.4.2');
    let watching = true;
    const frrExited = async () => {
      while (watching) {
        await new Promise((r) => setTimeout(r, 500));
        // bgpd shares the terminal's process group: a Ctrl-C ends it too, which is no fault of the install.
        if (watching && exporter2.pid === undefined && !signal?.aborted) {
          throw new LocalRuntimeError('FRR bgpd (the dc2 exporter) exited during start; is the frr package installed and are you root?');
        }
      }
    };
    await untilAborted(
      Promise.race([Promise.all(leaves.map((l) => l.router.waitEstablished(exporterOf(l), 60_000, signal))), frrExited()]),
      signal,
      'waiting for the demo BGP sessions',
    ).finally(() => (watching = false));
    log('demo BGP sessions established; originating EVPN routes');

    // Every leaf: its inclusive multicast route per VNI (type 3) and three hosts per VNI (type 2).
    for (const l of leaves) {
      throwIfAborted(signal, 'originating the demo routes');
      for (const vni of VNIS) {
        await l.router.evpn('add', [
          'multicast',
          vtepOf(l),
          'etag',
          '0',
          'rd',
          rdOf(l, vni),
          'rt',
          `65000:${vni}`,
          'encap',
          'vxlan',
          'pmsi',
          'ingress-repl',
          String(vni),
          vtepOf(l),
        ]);
        for (const i of [1, 2, 3]) await l.router.evpn('add', macArgs(l, hostMac(l, vni, i), vni, { ip: hostIp(l, vni, i) }));
      }
    }
    // A host dual-homed to l11 and l12 (one Ethernet segment, RFC 7432 §8).
    for (const l of [byName('l11'), byName('l12')]) {
      await l.router.evpn('add', macArgs(l, DEMO_HOSTS.dualHomed, 10100, { ip: '172.16.100.10', esi: DUAL_HOMED_ESI }));
    }

    throwIfAborted(signal, 'originating the demo routes');
    // A host that moves between the data centers (l13 in dc1, l21 in dc2).
    let moverAt = byName('l13');
    const moverIp = '172.16.200.20';
    await moverAt.router.evpn('add', macArgs(moverAt, DEMO_HOSTS.mover, 10100, { ip: moverIp }));
    const move = async () => {
      const to = moverAt.name === 'l13' ? byName('l21') : byName('l13');
      await to.router.evpn('add', macArgs(to, DEMO_HOSTS.mover, 10100, { ip: moverIp }));
      await moverAt.router.evpn('del', macArgs(moverAt, DEMO_HOSTS.mover, 10100, { ip: moverIp }));
      log(`demo: ${DEMO_HOSTS.mover} moved from ${moverAt.fabric}/${vtepOf(moverAt)} to ${to.fabric}/${vtepOf(to)}`);
      moverAt = to;
    };

    // One MAC that flaps between l11 and l12: withdrawn on one, advertised on the other, again and again.
    let flapAt = byName('l11');
    await flapAt.router.evpn('add', macArgs(flapAt, DEMO_HOSTS.flapper, 10100));
    const flap = async () => {
      const to = flapAt.name === 'l11' ? byName('l12') : byName('l11');
      await flapAt.router.evpn('del', macArgs(flapAt, DEMO_HOSTS.flapper, 10100));
      await to.router.evpn('add', macArgs(to, DEMO_HOSTS.flapper, 10100));
      flapAt = to;
    };

    // Scenario steps run one at a time; a failed step (a router being stopped) is logged, never thrown.
    const every = (firstSeconds: number, seconds: number, step: () => Promise<void>, what: string) => {
      const run = () => {
        if (stopped) return;
        step()
          .catch((err: unknown) => {
            if (!stopped) log(`demo: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
          })
          .finally(() => {
            if (!stopped) timers.set(what, setTimeout(run, seconds * 1000));
          });
      };
      timers.set(what, setTimeout(run, firstSeconds * 1000));
    };
    const moveEvery = o.moveEverySeconds ?? 60;
    // The first move comes soon, so that a new user sees one within the demo's first minute.
    every(Math.min(20, moveEvery), moveEvery, move, 'a move across data centers');
    every(o.flapEverySeconds ?? 3, o.flapEverySeconds ?? 3, flap, 'a MAC flap');
  } catch (err) {
    await stop();
    throw err;
  }

  const routers = () => [
    { name: exporter1.o.name, pid: exporter1.pid },
    { name: 'e2', pid: exporter2.pid },
    ...leaves.map((l) => ({ name: l.name, pid: l.router.pid })),
  ];
  return {
    routers,
    pids: () => routers().flatMap((r) => (r.pid ? [r.pid] : [])),
    stop,
  };
}
