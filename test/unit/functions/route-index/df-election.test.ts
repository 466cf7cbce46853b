import { describe, expect, it } from 'vitest';
import { dfAlgorithmOf, dfChoice, electDf, modulusDf, orderedMembers, serviceValue } from '../../../../functions/shared/route-index/df-election.js';

// RFC 7432 §8.5 default service carving: members ordered by increasing numeric value of their IP addresses, ordinals
// from 0; for V, the member with ordinal V mod N is the DF.
describe('DF election (RFC 7432 §8.5)', () => {
  it('orders IPv4 members numerically, not as text (10.0.0.10 after 10.0.0.2)', () => {
    expect(orderedMembers(['10.0.0.10', '10.0.0.2', '10.0.0.1', '9.255.255.255'])).toEqual(['9.255.255.255', '10.0.0.1', '10.0.0.2', '10.0.0.10']);
  });

  it('orders IPv6 members numerically whatever their spelling, and every IPv4 member before them', () => {
    expect(orderedMembers(['2001:db8::a', '2001:db8::9', '2001:db8:0:0:0:0:0:10', '2001:db8::1:0', '192.0.2.1'])).toEqual([
      '192.0.2.1',
      '2001:db8::9',
      '2001:db8::a',
      '2001:db8:0:0:0:0:0:10',
      '2001:db8::1:0',
    ]);
  });

  // Two PEs on a segment, VLANs 100..103 (the section's dual-homed case): even VLANs on the lower address, odd on the higher.
  it.each([
    [100, '10.0.0.2'],
    [101, '10.0.0.10'],
    [102, '10.0.0.2'],
    [103, '10.0.0.10'],
  ])('elects for V=%i among two IPv4 PEs: %s', (v, df) => {
    expect(modulusDf(orderedMembers(['10.0.0.10', '10.0.0.2']), v)).toBe(df);
  });

  it.each([
    [10100, '2001:db8::9'], // 10100 mod 3 = 2
    [10101, '2001:db8::1'], // 0
    [10102, '2001:db8::2'], // 1
  ])('elects for V=%i among three IPv6 PEs: %s', (v, df) => {
    expect(modulusDf(orderedMembers(['2001:db8::9', '2001:db8::2', '2001:db8::1']), v)).toBe(df);
  });

  it('takes the Ethernet tag as V, else the VNI of a VXLAN EVI with tag 0 (RFC 8365 §5.1.3), else none', () => {
    expect(serviceValue(200, 10100)).toBe(200);
    expect(serviceValue(0, 10100)).toBe(10100);
    expect(serviceValue(0, 0)).toBeUndefined();
    expect(serviceValue(0xffffffff, 0)).toBeUndefined();
  });
});

describe('DF Election extended community (RFC 8584 §3.2)', () => {
  const dfEc = (alg: number) => ({ type: 0x0606, value: Uint8Array.from([0x06, 0x06, alg, 0, 0, 0, 0, 0]) });

  it('reads the DF Alg from the low five bits of the third octet', () => {
    expect(dfAlgorithmOf([dfEc(1)])).toBe(1);
    expect(dfAlgorithmOf([dfEc(0xe0)])).toBe(0); // reserved bits set: still the default
    expect(dfAlgorithmOf([{ type: 0x0601, value: new Uint8Array(8) }])).toBeUndefined();
  });

  it('computes the default election when all members advertise DF Type 0 or none', () => {
    const c = dfChoice([
      { ip: '10.0.0.2', dfAlg: 0 },
      { ip: '10.0.0.1', dfAlg: 0 },
    ]);
    expect(c).toEqual({ algorithm: 'modulus', ordered: ['10.0.0.1', '10.0.0.2'] });
    expect(electDf(c, 7)).toBe('10.0.0.2');
  });

  it('reverts to the default when members disagree on the algorithm (RFC 8584 §2.2.1)', () => {
    const c = dfChoice([
      { ip: '10.0.0.2', dfAlg: 1 },
      { ip: '10.0.0.1', dfAlg: undefined },
    ]);
    expect(c.algorithm).toBe('modulus');
    expect(electDf(c, 8)).toBe('10.0.0.1');
  });

  it('says HRW is not supported rather than guess a DF', () => {
    const c = dfChoice([
      { ip: '10.0.0.2', dfAlg: 1 },
      { ip: '10.0.0.1', dfAlg: 1 },
    ]);
    expect(c.algorithm).toBe('hrw');
    expect(c.unsupported).toMatch(/not computed/);
    expect(electDf(c, 8)).toBeUndefined();
  });
});
