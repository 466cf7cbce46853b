/** Defaults of the collector's options that the configuration schema shows too, defined once (a light module: no I/O imports). */

/** After a reconnect, a table counts as re-sent once no route arrived for this long (unless End-of-RIB came first). */
export const DEFAULT_RESYNC_QUIET_MS = 30_000;

/** BMP sessions one station takes at most (collector.bmp.maxSessions): each holds a router's RIB in memory. */
export const DEFAULT_MAX_SESSIONS = 1_000;
