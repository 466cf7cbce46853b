/**
 * RFC 4360 extended communities (8 bytes: type (1) | subtype (1) | value (6)) that EVPN uses:
 * route targets (types 0x00/0x01/0x02, subtype 0x02), RFC 7432 §7.5 ESI label (0x06/0x01), §7.6 ES-import RT (0x06/0x02),
 * §7.7 MAC mobility (0x06/0x00), §7.8 default gateway (0x03/0x0d), RFC 9135 §8.1 router's MAC (0x06/0x03),
 * RFC 9012 §4.1 encapsulation (0x03/0x0c). Anything else is kept raw.
 */
import type { Reader } from '../reader.js';
import type { ExtendedCommunities } from '../types.js';
import { EXT_COMMUNITY_TYPE_MASK, ExtCommunitySubtype as Sub, ExtCommunityType as Type } from './ext-community-codes.js';

export function emptyExtendedCommunities(): ExtendedCommunities {
  return { routeTargets: [], defaultGateway: false, encapsulations: [], raw: [] };
}

export function decodeExtendedCommunities(r: Reader, out: ExtendedCommunities): void {
  while (r.remaining > 0) {
    const start = r.pos;
    r.need(8, 'extended community');
    const type = r.u8();
    const sub = r.u8();
    const base = type & EXT_COMMUNITY_TYPE_MASK; // the high bits are IANA-authority / non-transitive flags
    if (sub === Sub.RouteTarget && base <= Type.FourOctetAs) {
      if (base === Type.TwoOctetAs) out.routeTargets.push(`${r.u16()}:${r.u32()}`);
      else if (base === Type.Ipv4Address) out.routeTargets.push(`${r.ipv4()}:${r.u16()}`);
      else out.routeTargets.push(`${r.u32()}:${r.u16()}`);
      continue;
    }
    if (type === Type.Evpn) {
      if (sub === Sub.MacMobility) {
        const flags = r.u8();
        r.skip(1);
        out.macMobility = { sticky: (flags & 0x01) !== 0, seq: r.u32() };
        continue;
      }
      if (sub === Sub.EsiLabel) {
        const flags = r.u8();
        r.skip(2);
        const hi = r.u8();
        const lo = r.u16();
        out.esiLabel = { singleActive: (flags & 0x01) !== 0, label: (hi << 16) | lo };
        continue;
      }
      if (sub === Sub.EsImportRouteTarget) {
        out.esImportRt = r.mac();
        continue;
      }
      if (sub === Sub.RouterMac) {
        out.routerMac = r.mac();
        continue;
      }
    }
    if (type === Type.Opaque && sub === Sub.DefaultGateway) {
      out.defaultGateway = true;
      r.skip(6);
      continue;
    }
    if (type === Type.Opaque && sub === Sub.Encapsulation) {
      r.skip(4);
      out.encapsulations.push(r.u16());
      continue;
    }
    r.pos = start;
    out.raw.push({ type: (type << 8) | sub, value: r.bytes(8) });
  }
}
