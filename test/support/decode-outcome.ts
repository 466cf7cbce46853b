/**
 * What the decoders make of a byte stream, summed up (framing, each message, each UPDATE's RFC 7606 class and route
 * counts), and checked for what must hold whatever the input: no internal error (an error whose cause is not a
 * DecodeError is a decoder bug the safety net hid), offsets inside the message, every route well formed.
 * Shared by the fuzz test and the corpus replay.
 */
import { BmpFrameDecoder, DecodeError, decodeBgpUpdate, decodeBmpMessage, ERROR_HANDLING_NAMES, strongestHandling } from '../../collector/bmp/index.js';

export interface Outcome {
  framing?: string;
  messages: (string | { update: { class?: string; advertised: number; withdrawn: number; invalid: number; other: number } })[];
}

const ESI_TEXT = /^([0-9a-f]{2}:){9}[0-9a-f]{2}$/;

/** The first non-DecodeError in an error's cause chain: an internal bug, not bad input. */
export function internalCause(err: unknown): unknown {
  let c: unknown = err;
  for (let depth = 0; c !== undefined && depth < 8; depth++) {
    if (!(c instanceof DecodeError)) return c;
    c = c.cause;
  }
  return undefined;
}

export function decodeOutcome(input: Buffer, addPath = false): { outcome: Outcome; violations: string[] } {
  const outcome: Outcome = { messages: [] };
  const violations: string[] = [];
  const opts = { fourOctetAs: !addPath, addPath: new Set(addPath ? ['25/70'] : []) };
  let frames: Buffer[] = [];
  try {
    frames = new BmpFrameDecoder(1 << 20).push(input);
  } catch (err) {
    if (internalCause(err)) violations.push(`framing: internal error ${String(internalCause(err))}`);
    outcome.framing = err instanceof Error ? err.name : String(err);
  }
  for (const m of frames) {
    let msg: ReturnType<typeof decodeBmpMessage>;
    try {
      msg = decodeBmpMessage(m);
    } catch (err) {
      if (internalCause(err)) violations.push(`message: internal error ${String(internalCause(err))}`);
      if (!(err instanceof DecodeError)) violations.push(`message: threw ${String(err)}`);
      outcome.messages.push(err instanceof Error ? err.name : 'error');
      continue;
    }
    if (msg.kind !== 'route-monitoring') {
      outcome.messages.push(msg.kind);
      continue;
    }
    let u: ReturnType<typeof decodeBgpUpdate>;
    try {
      u = decodeBgpUpdate(msg.bgp, opts, msg.bgpOffset);
    } catch (err) {
      violations.push(`UPDATE: threw ${String(err)}`); // bad input is returned as errors, never thrown
      continue;
    }
    for (const e of u.errors ?? []) {
      if (internalCause(e)) violations.push(`UPDATE: internal error ${String(internalCause(e))}`);
      const off = e.context.offset;
      if (typeof off !== 'number' || off < 0 || off > m.length) violations.push(`UPDATE: error offset ${off} outside the ${m.length}-byte message`);
    }
    for (const r of [...u.advertised, ...u.withdrawn]) {
      if (!r.key.startsWith(`${r.routeType}:`)) violations.push(`route key ${r.key} does not start with its type ${r.routeType}`);
      if (r.routeType === 0) violations.push('a route of type 0 was returned');
      if (r.esi !== '' && !ESI_TEXT.test(r.esi)) violations.push(`ESI ${r.esi} is not 10 hex bytes`);
      if (r.routeType > 5 && !r.raw) violations.push(`route type ${r.routeType} without its raw bytes`);
    }
    const handling = strongestHandling(u);
    outcome.messages.push({
      update: {
        ...(handling !== undefined ? { class: ERROR_HANDLING_NAMES[handling] } : {}),
        advertised: u.advertised.length,
        withdrawn: u.withdrawn.length,
        invalid: u.invalidRoutes,
        other: u.other.length,
      },
    });
  }
  return { outcome, violations };
}
