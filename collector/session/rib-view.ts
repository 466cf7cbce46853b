/** RIB view of a per-peer header: RFC 9069 Loc-RIB (peer type 3), RFC 8671 Adj-RIB-Out (O flag), pre/post-policy (L flag). */
import { RibView } from '../../schemas/events.js';
import { BmpPeerType } from '../bmp/messages/bmp-codes.js';
import type { PerPeerHeader } from '../bmp/types.js';

export function ribViewOf(peer: PerPeerHeader): RibView {
  if (peer.peerType === BmpPeerType.LocRibInstance) return RibView.RIB_VIEW_LOC_RIB;
  if (peer.adjRibOut) return peer.postPolicy ? RibView.RIB_VIEW_ADJ_RIB_OUT_POST : RibView.RIB_VIEW_ADJ_RIB_OUT_PRE;
  return peer.postPolicy ? RibView.RIB_VIEW_ADJ_RIB_IN_POST : RibView.RIB_VIEW_ADJ_RIB_IN_PRE;
}
