/**
 * Tunables of the MAC index: the one schema, in the shape the configuration gives them (`macIndex:` of evpn-lens.yaml,
 * which infra/config/schema.ts reuses as it is, as it does health's), with their bounds and defaults; the handler
 * reads the flat view `macIndexOptions` makes of it.
 */
import { z } from 'zod';

export const macIndexConfigSchema = z.strictObject({
  flap: z
    .strictObject({
      /** RFC 7432 §15.1: N moves within M seconds make a flap (defaults 5 and 180). */
      moves: z.number().int().min(2).default(5),
      windowSeconds: z.number().int().min(1).default(180),
      /** An alert clears after this long without a move. */
      quietSeconds: z.number().int().min(1).default(180),
    })
    .prefault({}),
  historyRetentionDays: z.number().int().min(1).max(3650).default(30),
  /**
   * A MAC withdrawn from one location and advertised at another within this many seconds moved (rather than
   * disappeared and appeared). 5 s: the widest spread measured between the two routes of one move on router
   * timestamps was 2.1 s (`npm run bench -- bmp-latency`, README "Moves across data centers").
   */
  moveGapSeconds: z.number().min(0).max(600).default(5),
  /** Allowance added to the gap for router clocks that disagree (and for 1-second per-peer timestamps). */
  clockSkewSeconds: z.number().min(0).max(600).default(1),
  /** Two locations with equal sequence numbers for this long are a duplicate MAC (longer than a move's overlap). */
  duplicateHoldSeconds: z.number().min(0).max(86_400).default(10),
  /** How often the sweep raises held duplicates and clears quiet alerts (locally a timer, on AWS a schedule). */
  sweepSeconds: z.number().min(0.1).max(3600).default(5),
  /** Withdrawn-path tombstones older than this are dropped. */
  tombstoneSeconds: z.number().int().min(1).default(3600),
  /**
   * Route events one invocation takes at most (a packed record carries up to 2,000); the rest is handed back as a
   * checkpoint and comes again at once. Bounds an invocation's work whatever the record count.
   */
  maxEventsPerInvocation: z.number().int().min(1).default(20_000),
  /** With less time than this left (the Lambda context's), no new MAC group starts: the rest is handed back. */
  deadlineReserveMs: z.number().int().min(0).default(10_000),
  /**
   * Distinct MACs applied at once per invocation (each MAC's own events stay in order, applied by one worker): on AWS
   * each write is a round trip, so the pool hides their latency.
   */
  concurrency: z.number().int().min(1).max(1024).default(32),
});

export type MacIndexConfig = z.output<typeof macIndexConfigSchema>;

/** What the handler reads. */
export interface MacIndexOptions {
  flapMoves: number;
  flapWindowSeconds: number;
  flapQuietSeconds: number;
  moveGapSeconds: number;
  clockSkewSeconds: number;
  duplicateHoldSeconds: number;
  sweepSeconds: number;
  historyRetentionDays: number;
  tombstoneSeconds: number;
  maxEventsPerInvocation: number;
  deadlineReserveMs: number;
  concurrency: number;
}

export function macIndexOptions(c: MacIndexConfig): MacIndexOptions {
  const { flap, ...rest } = c;
  return { flapMoves: flap.moves, flapWindowSeconds: flap.windowSeconds, flapQuietSeconds: flap.quietSeconds, ...rest };
}

export const DEFAULT_OPTIONS: MacIndexOptions = macIndexOptions(macIndexConfigSchema.parse({}));
