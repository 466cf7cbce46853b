/** Tunables of the MAC index, validated once (Lambda: from environment variables). */
import { z } from 'zod';

export const macIndexOptionsSchema = z.strictObject({
  /** RFC 7432 §15.1: N moves within M seconds make a flap (defaults 5 and 180). */
  flapMoves: z.number().int().min(2).default(5),
  flapWindowSeconds: z.number().int().min(1).default(180),
  /** An alert clears after this long without a move. */
  flapQuietSeconds: z.number().int().min(1).default(180),
  /**
   * A MAC withdrawn from one location and advertised at another within this many seconds moved (rather than
   * disappeared and appeared). 5 s: the widest spread measured between the two routes of one move on router
   * timestamps was 2.1 s (`npm run bench -- bmp-latency`, README "Moves across data centers").
   */
  moveGapSeconds: z.number().min(0).default(5),
  /** Allowance added to the gap for router clocks that disagree (and for 1-second per-peer timestamps). */
  clockSkewSeconds: z.number().min(0).default(1),
  /** Two locations with equal sequence numbers for this long are a duplicate MAC (longer than a move's overlap). */
  duplicateHoldSeconds: z.number().min(0).default(10),
  /** How often the sweep raises held duplicates and clears quiet alerts (locally a timer, on AWS a schedule). */
  sweepSeconds: z.number().min(0.1).default(5),
  historyRetentionDays: z.number().int().min(1).default(30),
  /** Withdrawn-path tombstones older than this are dropped. */
  tombstoneSeconds: z.number().int().min(1).default(3600),
});

export type MacIndexOptions = z.output<typeof macIndexOptionsSchema>;

export const DEFAULT_OPTIONS: MacIndexOptions = macIndexOptionsSchema.parse({});
