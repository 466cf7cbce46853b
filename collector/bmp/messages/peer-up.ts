/**
 * RFC 7854 §4.10 Peer Up Notification:
 *   per-peer header | local address (16) | local port (2) | remote port (2) | sent OPEN | received OPEN | info TLVs
 * RFC 9069 §5.3: a Loc-RIB peer up may carry the VRF/Table name TLV (type 3).
 */

import { decodeOpen } from '../bgp/open.js';
import { bgpFromOpen } from '../bgp/open-length.js';
import type { Reader } from '../reader.js';
import type { PeerUpMessage } from '../types.js';
import { BmpInfoTlvType } from './bmp-codes.js';
import { decodeInfoTlvs } from './information-tlvs.js';
import { decodePerPeerHeader } from './per-peer-header.js';

export function decodePeerUp(r: Reader): PeerUpMessage {
  const peer = decodePerPeerHeader(r);
  let localAddress: string;
  if (peer.ipv6) localAddress = r.ipv6('local address');
  else {
    r.skip(12, 'local address padding');
    localAddress = r.ipv4('local address');
  }
  const localPort = r.u16('local port');
  const remotePort = r.u16('remote port');
  const sentOpen = decodeOpen(bgpFromOpen(r, 'sent OPEN'));
  const receivedOpen = decodeOpen(bgpFromOpen(r, 'received OPEN'));
  const info = decodeInfoTlvs(r);
  return {
    kind: 'peer-up',
    peer,
    localAddress,
    localPort,
    remotePort,
    sentOpen,
    receivedOpen,
    info,
    tableName: info.find((t) => t.type === BmpInfoTlvType.TableName)?.value,
  };
}
