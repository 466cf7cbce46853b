/** CIDR validation shared by the config schema (the collector matches addresses against these). */
import { isIP } from 'node:net';

export function isCidr(value: string): boolean {
  const [addr, len, extra] = value.split('/');
  if (addr === undefined || extra !== undefined) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (len === undefined) return true; // a bare address is a host route
  if (!/^\d{1,3}$/.test(len)) return false;
  return Number(len) <= (family === 4 ? 32 : 128);
}
