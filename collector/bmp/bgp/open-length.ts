/** A reader bounded to the next whole BGP message, by the length in its header (checked before use). */
import { MalformedError } from '../errors.js';
import type { Reader } from '../reader.js';
import { BGP_HEADER_LENGTH } from './header.js';

export function bgpFromOpen(r: Reader, what: string): Reader {
  r.need(BGP_HEADER_LENGTH, `${what} header`);
  const length = r.buf.readUInt16BE(r.pos + 16);
  if (length < BGP_HEADER_LENGTH)
    throw new MalformedError(`${what}: BGP length ${length} is shorter than the header`, { messageType: what, offset: r.pos + 16 });
  return r.sub(length, what);
}
