/** RFC 7854 §4.7 Route Mirroring: per-peer header | TLVs (0: BGP message, 1: information code (2)). */
import type { Reader } from '../reader.js';
import type { RouteMirroringMessage } from '../types.js';
import { BmpMirroringTlvType } from './bmp-codes.js';
import { decodePerPeerHeader } from './per-peer-header.js';

export function decodeRouteMirroring(r: Reader): RouteMirroringMessage {
  const peer = decodePerPeerHeader(r);
  const msg: RouteMirroringMessage = { kind: 'mirroring', peer, bgpMessages: [], infoCodes: [] };
  while (r.remaining > 0) {
    const type = r.u16('TLV type');
    const len = r.u16('TLV length');
    const v = r.sub(len, `mirroring TLV ${type}`);
    if (type === BmpMirroringTlvType.BgpMessage) msg.bgpMessages.push(v.bytes(len));
    else if (type === BmpMirroringTlvType.Information && len >= 2) msg.infoCodes.push(v.u16('information code'));
  }
  return msg;
}
