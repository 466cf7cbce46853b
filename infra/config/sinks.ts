/** The alert sinks of the configuration with their URLs and secrets read from the environment (never from the file). */
import { defaultSinkName, resolveSink, type Sink, SinkConfigError } from '../../functions/notify/sink-config.js';
import { ConfigError } from './errors.js';
import type { Config } from './schema.js';

/** Every sink ready to use; a variable that is named but unset is a ConfigError naming the key. */
export function resolveSinks(cfg: Config, env: Record<string, string | undefined>): Sink[] {
  return cfg.alerts.sinks.map((s, i) => {
    try {
      return resolveSink(s, defaultSinkName(s.type, i), env, `alerts.sinks[${i}]`);
    } catch (err) {
      if (err instanceof SinkConfigError) throw new ConfigError(err.message, { cause: err });
      throw err;
    }
  });
}

/** The environment variables the sinks read (their urlEnv and secretEnv): what a deployment must provide. */
export function sinkSecretNames(cfg: Config): string[] {
  return [...new Set(cfg.alerts.sinks.flatMap((s) => [s.urlEnv, s.secretEnv].filter((n): n is string => n !== undefined)))];
}
