/** The BMP/BGP/EVPN wire decoders: pure functions over bytes, no sockets. */

export { decodeBgpUpdate, strongestHandling } from './bgp/update.js';
export * from './errors.js';
export { BmpFrameDecoder } from './framing.js';
export { decodeBmpMessage } from './messages/decode-message.js';
export type * from './types.js';
