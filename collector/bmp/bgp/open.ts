/**
 * RFC 4271 §4.2 OPEN: version (1) | my AS (2) | hold time (2) | BGP ID (4) | opt param len (1) | params,
 * with RFC 9072 extended optional parameters (len 255, type 255, then 2-byte length). Capabilities (RFC 5492):
 * 1 multiprotocol (RFC 4760), 65 4-octet AS (RFC 6793), 69 ADD-PATH (RFC 7911).
 */
import { MalformedError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Capabilities, OpenMessage } from '../types.js';
import { afiSafiKey, BgpMessageType, CapabilityCode, OpenParamType } from './bgp-codes.js';
import { readBgpHeader } from './header.js';

export function decodeOpen(r: Reader): OpenMessage {
  const { type, body } = readBgpHeader(r);
  if (type !== BgpMessageType.Open) throw new MalformedError(`expected a BGP OPEN, got type ${type}`, { messageType: 'OPEN', offset: body.pos });
  const version = body.u8('version');
  const asn = body.u16('my AS');
  const holdTime = body.u16('hold time');
  const bgpId = body.ipv4('BGP identifier');
  let optLen = body.u8('optional parameters length');
  let extended = false;
  if (optLen === 255 && body.remaining >= 3 && body.buf[body.pos] === OpenParamType.ExtendedLength) {
    body.u8();
    optLen = body.u16('extended optional parameters length');
    extended = true;
  }
  const params = body.sub(optLen, 'optional parameters');
  const caps: Capabilities = { fourOctetAs: false, addPath: new Map(), multiprotocol: [], codes: [] };
  while (params.remaining > 0) {
    const ptype = params.u8('parameter type');
    const plen = extended ? params.u16('parameter length') : params.u8('parameter length');
    const p = params.sub(plen, `parameter ${ptype}`);
    if (ptype !== OpenParamType.Capabilities) continue; // only capabilities matter here
    while (p.remaining > 0) {
      const code = p.u8('capability code');
      const clen = p.u8('capability length');
      const c = p.sub(clen, `capability ${code}`);
      caps.codes.push(code);
      if (code === CapabilityCode.Multiprotocol && clen >= 4) {
        const afi = c.u16();
        c.u8();
        caps.multiprotocol.push(afiSafiKey(afi, c.u8()));
      } else if (code === CapabilityCode.FourOctetAs && clen === 4) {
        caps.fourOctetAs = true;
        caps.asn4 = c.u32();
      } else if (code === CapabilityCode.AddPath) {
        while (c.remaining >= 4) {
          const afi = c.u16();
          const safi = c.u8();
          caps.addPath.set(afiSafiKey(afi, safi), c.u8());
        }
      }
    }
  }
  return { version, asn, holdTime, bgpId, capabilities: caps };
}
