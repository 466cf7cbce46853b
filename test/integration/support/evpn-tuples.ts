/** EVPN routes of a BMP capture as comparable tuples: once from our decoder, once from tshark's dissector. */
import { execFileSync } from 'node:child_process';
import { BmpFrameDecoder, decodeBgpUpdate, decodeBmpMessage } from '../../../collector/bmp/index.js';
import { readTcpStreams } from '../../../infra/capture/pcap.js';

export interface RouteTuple {
  type: number;
  rd: string;
  esi: string;
  etag: number;
  mac: string;
  ip: string;
  label: number;
  nextHop: string;
  rts: string;
}

export const tupleKey = (t: RouteTuple) => JSON.stringify(t);

export function ourTuples(pcap: Buffer, port: number): RouteTuple[] {
  const out: RouteTuple[] = [];
  for (const s of readTcpStreams(pcap).filter((x) => x.dstPort === port)) {
    const framer = new BmpFrameDecoder();
    for (const m of framer.push(s.data)) {
      const msg = decodeBmpMessage(m);
      if (msg.kind !== 'route-monitoring') continue;
      const u = decodeBgpUpdate(msg.bgp, { fourOctetAs: true, addPath: new Set() });
      for (const r of u.advertised) {
        out.push({
          type: r.routeType,
          rd: r.rd,
          esi: r.esi,
          etag: r.ethernetTag,
          mac: r.mac,
          ip: r.routeType === 5 ? r.prefix.split('/')[0]! : r.ip || r.originatorIp,
          label: r.routeType === 3 ? 0 : (r.labels[0] ?? 0),
          nextHop: u.attributes.nextHop ?? '',
          rts: u.attributes.extCommunities.routeTargets.join(','),
        });
      }
    }
  }
  return out;
}

/** tshark shows RDs as raw bytes: turned to text here by the RFC 4364 §4.2 layout, independently of our decoder. */
function rdText(hex: string): string {
  const b = Buffer.from(hex.replace(/:/g, ''), 'hex');
  const t = b.readUInt16BE(0);
  if (t === 0) return `${b.readUInt16BE(2)}:${b.readUInt32BE(4)}`;
  if (t === 1) return `${b[2]}.${b[3]}.${b[4]}.${b[5]}:${b.readUInt16BE(6)}`;
  return `${b.readUInt32BE(2)}:${b.readUInt16BE(6)}`;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function tsharkTuples(file: string, port: number): RouteTuple[] {
  const json = execFileSync('tshark', ['-r', file, '-d', `tcp.port==${port},bmp`, '-T', 'json', '--no-duplicate-keys'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const out: RouteTuple[] = [];
  const visit = (o: unknown): void => {
    if (Array.isArray(o)) {
      for (const x of o) visit(x);
      return;
    }
    if (!o || typeof o !== 'object') return;
    const rec = o as Record<string, unknown>;
    const attrs = rec['bgp.update.path_attributes'];
    if (attrs) {
      const list = asArray((attrs as Record<string, unknown>)['bgp.update.path_attribute']) as Record<string, unknown>[];
      let nextHop = '';
      let rts: string[] = [];
      const nlris: Record<string, string>[] = [];
      for (const a of list) {
        const nh = a['bgp.update.path_attribute.mp_reach_nlri.next_hop'] as string | undefined;
        if (nh) {
          const bytes = Buffer.from(nh.replace(/:/g, ''), 'hex').subarray(1);
          nextHop = bytes.length === 4 ? [...bytes].join('.') : nextHop;
          const reach = a['bgp.update.path_attribute.mp_reach_nlri'] as Record<string, unknown> | undefined;
          for (const n of asArray(reach?.['bgp.evpn.nlri'])) nlris.push(n as Record<string, string>);
        }
        const ecs = a['bgp.ext_communities'] as Record<string, unknown> | undefined;
        if (ecs) {
          rts = asArray(ecs['bgp.ext_community'] as Record<string, string>[])
            .filter((c) => c['bgp.ext_com.type'] === '0x00' && c['bgp.ext_com.stype_tr_as2'] === '0x02')
            .map((c) => `${c['bgp.ext_com.value_as2']}:${c['bgp.ext_com.value_an4']}`);
        }
      }
      for (const n of nlris) {
        const type = Number(n['bgp.evpn.nlri.rt']);
        out.push({
          type,
          rd: rdText(n['bgp.evpn.nlri.rd']!),
          esi: n['bgp.evpn.nlri.esi'] ?? '', // types 3 (and raw types) carry no ESI
          etag: Number(n['bgp.evpn.nlri.etag'] ?? 0),
          mac: n['bgp.evpn.nlri.mac_addr'] ?? '',
          ip: n['bgp.evpn.nlri.ip.addr'] ?? n['bgp.evpn.nlri.ipv6.addr'] ?? '',
          label: type === 3 ? 0 : Number(n['bgp.evpn.nlri.vni'] ?? 0),
          nextHop,
          rts: rts.join(','),
        });
      }
      return;
    }
    Object.values(rec).forEach(visit);
  };
  visit(JSON.parse(json));
  return out;
}
