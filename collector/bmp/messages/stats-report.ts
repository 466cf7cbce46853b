/**
 * RFC 7854 §4.8 Stats Report: per-peer header | stats count (4) | count × (type (2) | length (2) | value).
 * Types 0-6 and 11-13 are 32-bit counters, 7-8 64-bit gauges, 9-10 (and RFC 8671's 14-17) AFI (2) + SAFI (1) + 64-bit
 * gauge. Decoded by length so that new types are read too; anything else is kept raw.
 */
import type { Reader } from '../reader.js';
import type { StatEntry, StatsReportMessage } from '../types.js';
import { decodePerPeerHeader } from './per-peer-header.js';

export function decodeStatsReport(r: Reader): StatsReportMessage {
  const peer = decodePerPeerHeader(r);
  const count = r.u32('stats count');
  const stats: StatEntry[] = [];
  for (let i = 0; i < count && r.remaining > 0; i++) {
    const type = r.u16('stat type');
    const len = r.u16('stat length');
    const v = r.sub(len, `stat ${type}`);
    if (len === 4) stats.push({ type, value: BigInt(v.u32()) });
    else if (len === 8) stats.push({ type, value: v.u64() });
    else if (len === 11) {
      const afi = v.u16();
      const safi = v.u8();
      stats.push({ type, afi, safi, value: v.u64() });
    } else stats.push({ type, value: 0n, raw: v.bytes(len) });
  }
  return { kind: 'stats', peer, stats };
}
