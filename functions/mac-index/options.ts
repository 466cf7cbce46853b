/** Tunables of the MAC index, validated once (Lambda: from environment variables). */
import { z } from 'zod';

export const macIndexOptionsSchema = z.strictObject({
  /** RFC 7432 §15.1: N moves within M seconds make a flap (defaults 5 and 180). */
  flapMoves: z.number().int().min(2).default(5),
  flapWindowSeconds: z.number().int().min(1).default(180),
  /** An alert clears after this long without a move. */
  flapQuietSeconds: z.number().int().min(1).default(180),
  /** Two locations with equal sequence numbers for this long are a duplicate MAC. */
  duplicateHoldSeconds: z.number().int().min(0).default(30),
  historyRetentionDays: z.number().int().min(1).default(30),
  /** Withdrawn-path tombstones older than this are dropped. */
  tombstoneSeconds: z.number().int().min(1).default(3600),
});

export type MacIndexOptions = z.output<typeof macIndexOptionsSchema>;

export const DEFAULT_OPTIONS: MacIndexOptions = macIndexOptionsSchema.parse({});
