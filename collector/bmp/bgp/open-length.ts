/** A reader bounded to the next whole BGP message, by the length in its header (checked before use). */
import { MalformedError } from '../errors.js';
import type { Reader } from '../reader.js';

export function bgpFromOpen(r: Reader, what: string): Reader {
  r.need(19, `${what} header`);
  const length = r.buf.readUInt16BE(r.pos + 16);
  if (length < 19) throw new MalformedError(`${what}: BGP length ${length} is shorter than the header`, { messageType: what, offset: r.pos + 16 });
  return r.sub(length, what);
}
