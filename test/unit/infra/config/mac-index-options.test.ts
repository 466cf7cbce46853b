import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, macIndexOptions } from '../../../../functions/mac-index/options.js';
import { ConfigError } from '../../../../infra/config/errors.js';
import { parseConfig } from '../../../../infra/config/load-config.js';

describe('macIndex options', () => {
  it('are validated by the function’s own schema and reach the handler as given, with no rename map', () => {
    // Arrange / Act
    const cfg = parseConfig({ macIndex: { flap: { moves: 4 }, moveGapSeconds: 7, tombstoneSeconds: 60 } });

    // Assert
    expect(macIndexOptions(cfg.macIndex)).toEqual({ ...DEFAULT_OPTIONS, flapMoves: 4, moveGapSeconds: 7, tombstoneSeconds: 60 });
    expect(macIndexOptions(parseConfig({}).macIndex)).toEqual(DEFAULT_OPTIONS);
  });

  it('refuses what the schema bounds, naming the key', () => {
    expect(() => parseConfig({ macIndex: { flap: { moves: 1 } } })).toThrow(ConfigError);
    expect(() => parseConfig({ macIndex: { moveGapSeconds: 601 } })).toThrow(/macIndex\.moveGapSeconds/);
  });
});
