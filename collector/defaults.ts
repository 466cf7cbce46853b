/** Defaults of the collector's options that the configuration schema shows too, defined once (a light module: no I/O imports). */

/** After a reconnect, a table counts as re-sent once no route arrived for this long (unless End-of-RIB came first). */
export const DEFAULT_RESYNC_QUIET_MS = 30_000;
