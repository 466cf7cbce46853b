/** The BMP/BGP/EVPN wire decoders: pure functions over bytes, no sockets. */

export { decodeOpen } from './bgp/open.js';
export { AFI_L2VPN, decodeBgpUpdate, SAFI_EVPN } from './bgp/update.js';
export * from './errors.js';
export { decodeEvpnNlri, decodeEvpnRoute } from './evpn/nlri.js';
export { BmpFrameDecoder, DEFAULT_MAX_MESSAGE_BYTES } from './framing.js';
export { decodeBmpMessage } from './messages/decode-message.js';
export { decodePerPeerHeader, PER_PEER_HEADER_LENGTH } from './messages/per-peer-header.js';
export { formatIpv6, Reader } from './reader.js';
export * from './types.js';
