/** RFC 7432 §5 Ethernet Segment Identifier: type (1, 0..5) | value (9), rendered as 10 colon-separated hex bytes. */
import type { Reader } from '../reader.js';

export function readEsi(r: Reader): { esi: string; esiType: number } {
  r.need(10, 'ESI');
  const esiType = r.buf[r.pos]!;
  return { esi: r.hexColon(10, 'ESI'), esiType };
}
