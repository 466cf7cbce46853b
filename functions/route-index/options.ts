/** Tunables of the route index (functions/route-index); the local stack and the Lambda take the MAC index's timing. */
export interface RouteIndexOptions {
  /** A prefix withdrawn from some fabrics and advertised in others within this many seconds moved (history). */
  moveGapSeconds: number;
  /** Withdrawn-path tombstones (and dead items) older than this are dropped. */
  tombstoneSeconds: number;
  historyRetentionDays: number;
  /** Route items applied at once (each item's own events stay in order, applied by one worker). */
  concurrency: number;
  /** With less time than this left (the Lambda context's), no new item starts: the rest is handed back. */
  deadlineReserveMs: number;
}

export const DEFAULT_ROUTE_INDEX_OPTIONS: RouteIndexOptions = {
  moveGapSeconds: 6,
  tombstoneSeconds: 3600,
  historyRetentionDays: 30,
  concurrency: 16,
  deadlineReserveMs: 10_000,
};
