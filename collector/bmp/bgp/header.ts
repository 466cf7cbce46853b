/** RFC 4271 §4.1 message header: marker (16 × 0xff) | length (2, 19..4096, or 65535 with RFC 8654) | type (1). */
import { MalformedError } from '../errors.js';
import type { Reader } from '../reader.js';

export const BGP_HEADER_LENGTH = 19;

export function readBgpHeader(r: Reader): { type: number; length: number; body: Reader; start: number } {
  const start = r.pos;
  r.need(BGP_HEADER_LENGTH, 'BGP header');
  const b = r.buf;
  for (let i = 0; i < 16; i++) {
    if (b[start + i] !== 0xff) throw new MalformedError('BGP marker is not all ones', { messageType: 'BGP', offset: start + i });
  }
  r.pos += 16;
  const length = r.u16('BGP length');
  const type = r.u8('BGP type');
  if (length < BGP_HEADER_LENGTH) throw new MalformedError(`BGP length ${length} is shorter than the header`, { messageType: 'BGP', offset: start + 16 });
  const body = r.sub(length - BGP_HEADER_LENGTH, `BGP message type ${type}`);
  return { type, length, body, start };
}
