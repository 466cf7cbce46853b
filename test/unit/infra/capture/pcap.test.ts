import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BmpFrameDecoder, decodeBgpUpdate, decodeBmpMessage } from '../../../../collector/bmp/index.js';
import { CaptureError, readTcpStreams } from '../../../../infra/capture/pcap.js';
import { bmpSessionsOf } from '../../../../infra/cli/commands/replay.js';

const fixture = readFileSync(resolve(import.meta.dirname, '../../../fixtures/captures/gobgp-evpn-types-1-5.pcap'));

describe('pcap', () => {
  it('reassembles the BMP session of a captured GoBGP export', () => {
    const streams = readTcpStreams(fixture);
    const toStation = streams.filter((s) => s.dstPort === 11998);
    expect(toStation).toHaveLength(1);
    expect(toStation[0]!.data.length).toBe(878); // the sum of the payloads tshark lists
  });

  it('finds the BMP sessions in a capture and frames every route in them', () => {
    const [session] = bmpSessionsOf(fixture);
    const types: number[] = [];
    for (const m of new BmpFrameDecoder().push(session!.data)) {
      const msg = decodeBmpMessage(m);
      if (msg.kind === 'route-monitoring')
        types.push(...decodeBgpUpdate(msg.bgp, { fourOctetAs: true, addPath: new Set() }).advertised.map((r) => r.routeType));
    }
    expect(types.sort()).toEqual([1, 2, 2, 3, 4, 5]);
  });

  it('treats a file that starts like BMP as one raw session', () => {
    const raw = Buffer.from([3, 0, 0, 0, 6, 4]);
    expect(bmpSessionsOf(raw)).toEqual([{ name: 'raw BMP', data: raw }]);
  });

  it('rejects what is not a capture', () => {
    expect(() => readTcpStreams(Buffer.alloc(64, 7))).toThrow(CaptureError);
  });

  it('skips a truncated last packet instead of reading past the end', () => {
    expect(() => readTcpStreams(fixture.subarray(0, fixture.length - 10))).not.toThrow();
  });
});
