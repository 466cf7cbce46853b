/** The BMP/BGP/EVPN wire decoders: pure functions over bytes, no sockets. */
export * from './types.js';
export * from './errors.js';
export { Reader, formatIpv6 } from './reader.js';
export { BmpFrameDecoder, DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';
export { decodeBmpMessage } from './messages/decode-message.js';
export { decodePerPeerHeader, PER_PEER_HEADER_LENGTH } from './messages/per-peer-header.js';
export { decodeBgpUpdate, AFI_L2VPN, SAFI_EVPN } from './bgp/update.js';
export { decodeOpen } from './bgp/open.js';
export { decodeEvpnNlri, decodeEvpnRoute } from './evpn/nlri.js';
export { ZERO_ESI } from './evpn/ethernet-segment-id.js';
