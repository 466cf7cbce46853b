/** RFC 7854 §4.3 Initiation (TLVs: 0 string, 1 sysDescr, 2 sysName) and §4.5 Termination (0 string, 1 reason). */
import type { Reader } from '../reader.js';
import type { InitiationMessage, TerminationMessage } from '../types.js';
import { BmpInfoTlvType, BmpTerminationTlvType } from './bmp-codes.js';
import { decodeInfoTlvs } from './information-tlvs.js';

export function decodeInitiation(r: Reader): InitiationMessage {
  const tlvs = decodeInfoTlvs(r);
  return {
    kind: 'initiation',
    sysDescr: tlvs.find((t) => t.type === BmpInfoTlvType.SysDescr)?.value,
    sysName: tlvs.find((t) => t.type === BmpInfoTlvType.SysName)?.value,
    strings: tlvs.filter((t) => t.type === BmpInfoTlvType.String).map((t) => t.value),
    tlvs,
  };
}

export function decodeTermination(r: Reader): TerminationMessage {
  const strings: string[] = [];
  let reason: number | undefined;
  while (r.remaining > 0) {
    const type = r.u16('TLV type');
    const len = r.u16('TLV length');
    const v = r.sub(len, `termination TLV ${type}`);
    if (type === BmpTerminationTlvType.Reason && len === 2) reason = v.u16('reason');
    else if (type === BmpTerminationTlvType.String) strings.push(v.utf8(len));
  }
  return { kind: 'termination', reason, strings };
}
