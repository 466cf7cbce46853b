/**
 * RFC 7854 §4.4 Information TLVs (Initiation, Peer Up), §4.5 Termination TLVs, RFC 9069 §5.3 (type 3 table name):
 *   type (2) | length (2) | value (length)
 */
import type { Reader } from '../reader.js';
import type { InfoTlv } from '../types.js';

export function decodeInfoTlvs(r: Reader): InfoTlv[] {
  const out: InfoTlv[] = [];
  while (r.remaining > 0) {
    const type = r.u16('TLV type');
    const len = r.u16('TLV length');
    out.push({ type, value: r.utf8(len, `TLV ${type} value`) });
  }
  return out;
}
