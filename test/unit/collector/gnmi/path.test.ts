import { describe, expect, it } from 'vitest';
import { PathSyntaxError } from '../../../../collector/gnmi/errors.js';
import { formatPath, parsePath } from '../../../../collector/gnmi/path.js';

describe('gNMI path strings', () => {
  it('parses origin, elements and keys, with "/" inside a key value and escapes', () => {
    expect(parsePath('openconfig:/interfaces/interface[name=Ethernet1/1]/state/counters')).toEqual({
      origin: 'openconfig',
      elem: [{ name: 'interfaces' }, { name: 'interface', key: { name: 'Ethernet1/1' } }, { name: 'state' }, { name: 'counters' }],
    });
    expect(parsePath('/a[k=x\\]y][j=1]/b\\/c').elem).toEqual([{ name: 'a', key: { k: 'x]y', j: '1' } }, { name: 'b/c' }]);
    expect(parsePath('/')).toEqual({ origin: '', elem: [] });
    expect(parsePath('')).toEqual({ origin: '', elem: [] });
    expect(parsePath('relative/path/').elem.map((e) => e.name)).toEqual(['relative', 'path']);
  });

  it('does not take a module-qualified first element for an origin', () => {
    expect(parsePath('openconfig-interfaces:interfaces/interface')).toEqual({
      origin: '',
      elem: [{ name: 'openconfig-interfaces:interfaces' }, { name: 'interface' }],
    });
  });

  it('formats keys sorted and escaped, and round-trips', () => {
    const text = 'eos:/network-instances/network-instance[name=a\\]b]/fdb/mac-table/entries/entry[mac-address=aa:bb:cc:dd:ee:ff][vlan=10]';
    expect(formatPath(parsePath(text))).toBe(text);
    expect(formatPath({ elem: [{ name: 'e', key: { z: '1', a: '2' } }] })).toBe('/e[a=2][z=1]');
    expect(formatPath(undefined)).toBe('/');
  });

  it('rejects what is not a path, with the offset', () => {
    for (const bad of ['/a[k=v', '/a[kv]', '/a//b', '/a[=v]', '/a\\', '/a[k=1][k=2]', '/a]b']) {
      expect(() => parsePath(bad), bad).toThrow(PathSyntaxError);
    }
    expect(() => parsePath('/a[k=v')).toThrow(/offset \d+/);
  });
});
