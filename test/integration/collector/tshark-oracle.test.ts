import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Gobgp } from '../../../infra/lab/gobgp.js';
import { freePort } from '../../../infra/local/free-port.js';
import { waitFor } from '../support/env.js';
import { ourTuples, tsharkTuples, tupleKey } from '../support/evpn-tuples.js';

const out = resolve(import.meta.dirname, '../../../test-results/captures');

// tshark's BMP/BGP dissector is an independent decoder: on a capture of a real router's BMP session, every EVPN route
// must agree with ours field by field (MAC, IP, RD, ESI, Ethernet tag, label/VNI, next hop, route targets).
describe('decoder against tshark', () => {
  it('agrees with tshark on a captured GoBGP BMP session with EVPN route types 1-5', async () => {
    mkdirSync(out, { recursive: true });
    const port = await freePort();
    const file = join(out, `gobgp-bmp-${port}.pcap`);
    const dumpcap = spawn('dumpcap', ['-q', '-i', 'lo', '-f', `tcp port ${port}`, '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let dumpcapSays = '';
    dumpcap.stderr!.on('data', (b: Buffer) => (dumpcapSays += b.toString()));
    const sink = createServer((c) => c.resume()).listen(port, '127.0.0.1');
    // dumpcap captures once it says so, and its filter is on once a connection to the port (no payload) lands in the file.
    await waitFor(() => dumpcapSays.includes('Capturing on') || undefined, 'dumpcap capturing', 30_000);
    const sizeOf = () => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    const empty = sizeOf();
    await waitFor(
      async () => {
        await new Promise<void>((res) => {
          const probe = connect(port, '127.0.0.1', () => probe.end());
          probe.on('close', () => res()).on('error', () => res());
        });
        return sizeOf() > empty || undefined;
      },
      'a probe connection in the capture',
      30_000,
      200,
    );
    const r = new Gobgp({ name: 'cap', address: '127.0.0.91', routerId: '10.91.0.1', asn: 65091, apiPort: await freePort(), bmp: { host: '127.0.0.1', port } });
    try {
      await r.start();
      const esi = ['ARBITRARY', '01:02:03:04:05:06:07:08:09'];
      await r.evpn('add', [
        'macadv',
        'aa:bb:cc:91:00:01',
        '10.91.1.1',
        'esi',
        ...esi,
        'etag',
        '0',
        'label',
        '10100',
        'rd',
        '10.91.0.1:100',
        'rt',
        '65091:10100',
        'encap',
        'vxlan',
        'nexthop',
        '10.91.0.1',
      ]);
      await r.evpn('add', [
        'macadv',
        'aa:bb:cc:91:00:02',
        '2001:db8::91',
        'etag',
        '0',
        'label',
        '10200',
        'rd',
        '65091:200',
        'rt',
        '65091:10200',
        'encap',
        'vxlan',
        'nexthop',
        '10.91.0.1',
      ]);
      await r.evpn('add', [
        'a-d',
        'esi',
        ...esi,
        'etag',
        '0',
        'label',
        '10100',
        'rd',
        '10.91.0.1:100',
        'rt',
        '65091:10100',
        'encap',
        'vxlan',
        'esi-label',
        '100',
      ]);
      await r.evpn('add', [
        'multicast',
        '10.91.0.1',
        'etag',
        '0',
        'rd',
        '10.91.0.1:100',
        'rt',
        '65091:10100',
        'encap',
        'vxlan',
        'pmsi',
        'ingress-repl',
        '10100',
        '10.91.0.1',
      ]);
      await r.evpn('add', ['esi', '10.91.0.1', 'esi', ...esi, 'rd', '10.91.0.1:100', 'encap', 'vxlan']);
      await r.evpn('add', [
        'prefix',
        '10.91.50.0/24',
        'gw',
        '0.0.0.0',
        'etag',
        '0',
        'label',
        '50000',
        'rd',
        '10.91.0.1:200',
        'rt',
        '65091:50000',
        'encap',
        'vxlan',
      ]);
      // Until every route type is in the capture (read as it grows; a packet half written is read again next time).
      await waitFor(
        () => {
          try {
            const t = ourTuples(readFileSync(file), port);
            return new Set(t.map((x) => x.type)).size === 5 && t.length >= 6 ? true : undefined;
          } catch {
            return undefined;
          }
        },
        'all five EVPN route types captured',
        60_000,
        200,
      );
    } finally {
      await r.dispose();
      dumpcap.kill('SIGINT');
      await new Promise((res) => dumpcap.once('exit', res));
      sink.close();
    }
    const ours = await waitFor(
      () => {
        const t = ourTuples(readFileSync(file), port);
        return t.length >= 6 ? t : undefined;
      },
      'routes in the capture',
      5000,
    );
    const theirs = tsharkTuples(file, port);

    expect(new Set(ours.map((t) => t.type))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(theirs.length).toBeGreaterThanOrEqual(6);
    // tshark may not dissect every BMP message of a segment; each route it did dissect must be one we decoded alike.
    const mine = new Set(ours.map(tupleKey));
    for (const t of theirs) expect(mine, `tshark saw ${tupleKey(t)}`).toContain(tupleKey(t));
    expect(new Set(theirs.map((t) => t.type))).toEqual(new Set([1, 2, 3, 4, 5]));
  });
});
