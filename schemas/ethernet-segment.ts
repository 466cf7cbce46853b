/** RFC 7432 §5: the reserved all-zero ESI of a single-homed site. Defined once for the collector and the functions. */
export const ZERO_ESI = '00:00:00:00:00:00:00:00:00:00';

/** Whether an ESI names a real (multi-homed) Ethernet segment: not absent, not the reserved zero ESI. */
export function isMultiHomedEsi(esi: string | undefined): boolean {
  return esi !== undefined && esi !== '' && esi !== ZERO_ESI;
}
