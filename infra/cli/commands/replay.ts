/** `evpn-lens replay FILE --to HOST:PORT`: re-sends captured BMP sessions (raw BMP bytes, pcap or pcapng). */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Command } from 'commander';
import { readTcpStreams } from '../../capture/pcap.js';
import { formatHostPort } from '../../config/host-port.js';
import { resolveBmpTarget } from './stack-endpoints.js';

/** The BMP sessions in a file: raw BMP (first byte 3) as one session, else every TCP stream that starts like BMP. */
export function bmpSessionsOf(buf: Buffer): { name: string; data: Buffer }[] {
  if (buf[0] === 3 && buf.length >= 6 && buf.readUInt32BE(1) >= 6) return [{ name: 'raw BMP', data: buf }];
  return readTcpStreams(buf)
    .filter((s) => s.data[0] === 3 && s.data.length >= 6 && s.data.readUInt32BE(1) >= 6 && s.data[5]! <= 6)
    .map((s) => ({ name: `${s.src}:${s.srcPort} → ${s.dst}:${s.dstPort}`, data: s.data }));
}

export async function replay(sessions: { data: Buffer }[], to: { host: string; port: number }): Promise<number> {
  let bytes = 0;
  for (const s of sessions) {
    await new Promise<void>((resolve, reject) => {
      const sock = connect(to.port, to.host, () => sock.end(s.data));
      sock.on('error', reject);
      sock.on('close', () => resolve());
      sock.resume();
    });
    bytes += s.data.length;
  }
  return bytes;
}

export function register(program: Command): void {
  program
    .command('replay')
    .argument('<file>', 'raw BMP bytes, or a pcap/pcapng capture of BMP sessions')
    .option('--to <host:port>', 'the BMP station to send to (default: the running local stack)')
    .option('-c, --config <file>', "find the local stack in this configuration's data dir")
    .description('re-send captured BMP sessions to a collector (one TCP connection per captured session)')
    .action(async (file: string, o: { to?: string; config?: string }) => {
      const to = resolveBmpTarget(o);
      const sessions = bmpSessionsOf(readFileSync(file));
      if (sessions.length === 0) throw new Error(`${file}: no BMP session found`);
      const bytes = await replay(sessions, to);
      process.stdout.write(`replayed ${sessions.length} session(s), ${bytes} bytes, to ${formatHostPort(to)}\n`);
    });
}
