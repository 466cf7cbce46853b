/** `evpn-lens segments` (every Ethernet segment) and `evpn-lens segments ESI` (members, mode, DF per EVI), from the query API. */
import type { Command } from 'commander';
import { apiGet, table } from './api-client.js';
import { resolveApiUrl } from './stack-endpoints.js';

interface SegmentRow {
  esi: string;
  fabrics: string[];
  mode: string;
  esiLabel: number | null;
  members: string[];
  evis: number;
  dfAlgorithm: string;
  flags: number;
}
interface Segment {
  esi: string;
  fabrics: string[];
  mode: string;
  esiLabel: number | null;
  members: { vtep: string; fabric: string; esRoute: boolean; adPerEs: boolean; evis: number; singleActive?: boolean }[];
  dfCandidates: string[];
  dfAlgorithm: string;
  dfUnsupported?: string;
  evis: { id: string; serviceValue: number | null; df: string | null; members: string[] }[];
  flags: { kind: string; vtep?: string }[];
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

export function renderSegment(s: Segment): string {
  const out = [
    `segment ${s.esi}: ${s.mode}${s.esiLabel === null ? '' : `, ESI label ${s.esiLabel}`} · fabrics ${s.fabrics.join(',')} · DF ${s.dfAlgorithm}${s.dfUnsupported ? ` (${s.dfUnsupported})` : ''}`,
    `DF candidates (RFC 7432 §8.5 order): ${s.dfCandidates.join(', ') || '-'}`,
    '',
    table(
      ['VTEP', 'FABRIC', 'ES ROUTE', 'A-D PER ES', 'A-D PER EVI', 'SINGLE-ACTIVE'],
      s.members.map((m) => [m.vtep, m.fabric, yes(m.esRoute), yes(m.adPerEs), String(m.evis), m.singleActive === undefined ? '-' : yes(m.singleActive)]),
    ),
    '',
    table(
      ['EVI', 'V', 'DF', 'MEMBERS'],
      s.evis.map((e) => [e.id, e.serviceValue === null ? '-' : String(e.serviceValue), e.df ?? '-', e.members.join(',')]),
    ),
  ];
  for (const f of s.flags) out.push(`  ! ${f.kind}${f.vtep ? ` (${f.vtep})` : ''}`);
  return out.join('\n');
}

export function register(program: Command): void {
  program
    .command('segments')
    .argument('[esi]', 'one Ethernet segment (10 octets, e.g. 00:11:22:33:44:55:66:77:88:99)')
    .description('Ethernet segments: members, all-active or single-active, ESI label, designated forwarder per EVI')
    .option('--json', 'print JSON')
    .option('--api <url>', 'query API base URL (default: EVPN_LENS_API, else the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir")
    .action(async (esi: string | undefined, o: { json?: boolean; api?: string; config?: string }) => {
      const api = resolveApiUrl(o);
      if (esi) {
        const s = await apiGet<Segment>(api, `v1/segments/${encodeURIComponent(esi)}`);
        process.stdout.write(`${o.json ? JSON.stringify(s, null, 2) : renderSegment(s)}\n`);
        return;
      }
      const rows: SegmentRow[] = [];
      let cursor: string | null = null;
      do {
        const page: { segments: SegmentRow[]; nextCursor: string | null } = await apiGet(
          api,
          `v1/segments?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        rows.push(...page.segments);
        cursor = page.nextCursor;
      } while (cursor);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ segments: rows }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        rows.length
          ? `${table(
              ['ESI', 'FABRICS', 'MODE', 'ESI LABEL', 'MEMBERS', 'EVIS', 'DF ALG', 'FLAGS'],
              rows.map((r) => [
                r.esi,
                r.fabrics.join(','),
                r.mode,
                r.esiLabel === null ? '-' : String(r.esiLabel),
                r.members.join(','),
                String(r.evis),
                r.dfAlgorithm,
                String(r.flags),
              ]),
            )}\n`
          : 'no Ethernet segment has a live route\n',
      );
    });
}
