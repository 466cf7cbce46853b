/** One whole BMP message (as framed by BmpFrameDecoder) → its decoded form, dispatched on the message type. */
import { DecodeError, hexPreview, MalformedError } from '../errors.js';
import { Reader } from '../reader.js';
import type { BmpMessage } from '../types.js';
import { BmpMessageType } from './bmp-codes.js';
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION } from './common-header.js';
import { decodeInitiation, decodeTermination } from './initiation.js';
import { decodePeerDown } from './peer-down.js';
import { decodePeerUp } from './peer-up.js';
import { decodePerPeerHeader } from './per-peer-header.js';
import { decodeRouteMirroring } from './route-mirroring.js';
import { decodeStatsReport } from './stats-report.js';

const NAMES: Record<number, string> = Object.fromEntries(Object.entries(BmpMessageType).map(([name, code]) => [code, name]));

export function decodeBmpMessage(buf: Buffer): BmpMessage {
  const head = new Reader(buf, 0, buf.length, 'BMP common header');
  const version = head.u8('version');
  const length = head.u32('message length');
  const type = head.u8('message type');
  if (version !== BMP_VERSION) throw new MalformedError(`BMP version ${version}, expected 3`, { messageType: 'BMP', offset: 0, hex: hexPreview(buf) });
  if (length !== buf.length || length < BMP_COMMON_HEADER_LENGTH) {
    throw new MalformedError(`BMP length ${length} does not match the ${buf.length} bytes framed`, { messageType: 'BMP', offset: 1, hex: hexPreview(buf) });
  }
  const name = NAMES[type] ?? `type ${type}`;
  const r = new Reader(buf, BMP_COMMON_HEADER_LENGTH, length, name);
  try {
    switch (type) {
      case BmpMessageType.RouteMonitoring: {
        const peer = decodePerPeerHeader(r);
        return { kind: 'route-monitoring', peer, bgp: buf.subarray(r.pos, length), bgpOffset: r.pos };
      }
      case BmpMessageType.StatisticsReport:
        return decodeStatsReport(r);
      case BmpMessageType.PeerDown:
        return decodePeerDown(r);
      case BmpMessageType.PeerUp:
        return decodePeerUp(r);
      case BmpMessageType.Initiation:
        return decodeInitiation(r);
      case BmpMessageType.Termination:
        return decodeTermination(r);
      case BmpMessageType.RouteMirroring:
        return decodeRouteMirroring(r);
      default:
        // RFC 7854 §4.1: unknown message types are skipped (the length says how far).
        return { kind: 'unknown', type, length };
    }
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    // A bug or an impossible value (e.g. a RangeError from Buffer): still a typed decode error for the session.
    throw new MalformedError(
      `${name}: ${err instanceof Error ? err.message : String(err)}`,
      { messageType: name, offset: r.pos, hex: hexPreview(buf, r.pos) },
      { cause: err },
    );
  }
}
