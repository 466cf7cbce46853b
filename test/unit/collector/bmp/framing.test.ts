import { describe, expect, it } from 'vitest';
import { BmpFrameDecoder, FramingError } from '../../../../collector/bmp/index.js';
import { bmpMsg, type2Update } from '../../../fixtures/bmp/builders.js';

const messages = [
  bmpMsg.initiation({ sysName: 'leaf1' }),
  bmpMsg.peerUp({}),
  bmpMsg.routeMonitoring({ update: type2Update({ nextHop: '10.0.0.1', routes: [{ rd: '1:1', mac: '00:00:00:00:00:01', label1: 1 }] }) }),
  bmpMsg.termination(0),
];
const stream = Buffer.concat(messages);

function feed(chunks: Buffer[], max?: number): Buffer[] {
  const d = new BmpFrameDecoder(max);
  return chunks.flatMap((c) => d.push(c));
}

describe('BmpFrameDecoder', () => {
  it('returns many messages from one chunk', () => {
    expect(feed([stream])).toEqual(messages);
  });

  it('reassembles messages fed byte by byte', () => {
    expect(feed([...stream].map((b) => Buffer.from([b])))).toEqual(messages);
  });

  it.each([1, 3, 5, 6, 7, 20, 49])('handles a split at the front, middle and end of a message (cut at %i)', (cut) => {
    const second = messages[0]!.length; // splits inside the second message
    const points = [second + cut, second + messages[1]!.length - 1, stream.length - 1].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let prev = 0;
    for (const p of points) {
      chunks.push(stream.subarray(prev, p));
      prev = p;
    }
    chunks.push(stream.subarray(prev));
    expect(feed(chunks)).toEqual(messages);
  });

  it('rejects a bad version before buffering the body', () => {
    const d = new BmpFrameDecoder();
    expect(() => d.push(Buffer.from([2, 0, 0, 0, 10, 0]))).toThrow(FramingError);
  });

  it('rejects a length above the limit before buffering the body', () => {
    const d = new BmpFrameDecoder(1024);
    expect(() => d.push(Buffer.from([3, 0, 0, 0x10, 0, 0]))).toThrow(/outside 6\.\.1024/);
    expect(d.bufferedBytes).toBe(6);
  });

  it('rejects a length shorter than the common header', () => {
    expect(() => new BmpFrameDecoder().push(Buffer.from([3, 0, 0, 0, 5, 0]))).toThrow(FramingError);
  });
});
