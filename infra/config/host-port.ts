/** "host:port" / "[v6]:port" / ":port" parsing for listen and connect addresses. */
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: string): HostPort | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  if (host !== '' && isIP(host) === 0 && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(host)) return undefined;
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
