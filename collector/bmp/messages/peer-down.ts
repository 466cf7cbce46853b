/**
 * RFC 7854 §4.9 Peer Down Notification: per-peer header | reason (1) | data
 *   1: local system closed, NOTIFICATION PDU follows    2: local system closed, FSM event code (2) follows
 *   3: remote system closed, NOTIFICATION PDU follows   4: remote system closed, no data
 *   5: peer de-configured                               6: (RFC 9069 §4.1) Loc-RIB no longer monitored, TLVs follow
 */
import { BgpMessageType } from '../bgp/bgp-codes.js';
import { BGP_HEADER_LENGTH, readBgpHeader } from '../bgp/header.js';
import type { Reader } from '../reader.js';
import type { PeerDownMessage } from '../types.js';
import { BmpInfoTlvType, PeerDownReason } from './bmp-codes.js';
import { decodeInfoTlvs } from './information-tlvs.js';
import { decodePerPeerHeader } from './per-peer-header.js';

export function decodePeerDown(r: Reader): PeerDownMessage {
  const peer = decodePerPeerHeader(r);
  const reason = r.u8('reason');
  const msg: PeerDownMessage = { kind: 'peer-down', peer, reason };
  if ((reason === PeerDownReason.LocalNotification || reason === PeerDownReason.RemoteNotification) && r.remaining >= BGP_HEADER_LENGTH) {
    const { type, body } = readBgpHeader(r);
    if (type === BgpMessageType.Notification)
      msg.notification = { code: body.u8('error code'), subcode: body.u8('error subcode'), data: body.bytes(body.remaining) };
  } else if (reason === PeerDownReason.LocalFsmEvent && r.remaining >= 2) {
    msg.fsmEvent = r.u16('FSM event code');
  } else if (reason === PeerDownReason.LocRibNotMonitored && r.remaining >= 4) {
    msg.tableName = decodeInfoTlvs(r).find((t) => t.type === BmpInfoTlvType.TableName)?.value;
  }
  return msg;
}
