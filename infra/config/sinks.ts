/** The alert sinks of the configuration with their URLs and secrets read from the environment (never from the file). */
import { defaultSinkName, resolveSink, type Sink, SinkConfigError, type SinkSettings } from '../../functions/notify/sink-config.js';
import { ConfigError } from './errors.js';
import type { Config } from './schema.js';

/** Names the one sink a deployed notifier serves (AWS: one function per sink). */
export const SINK_ENV = 'EVPN_LENS_SINK';

/** A sink of the configuration with its name fixed (the default one when it has none) and its place in the list. */
export interface NamedSink {
  name: string;
  index: number;
  settings: SinkSettings;
}

export function namedSinks(cfg: Config): NamedSink[] {
  return cfg.alerts.sinks.map((settings, index) => ({ name: settings.name ?? defaultSinkName(settings.type, index), index, settings }));
}

/** The sinks `only` selects: all of them, or the one it names (unknown: a ConfigError listing the names). */
function selected(cfg: Config, only: string | undefined): NamedSink[] {
  const all = namedSinks(cfg);
  if (only === undefined) return all;
  const one = all.find((s) => s.name === only);
  if (!one) throw new ConfigError(`${SINK_ENV}: expected one of ${all.map((s) => s.name).join(', ') || '(no sink configured)'}, got "${only}"`);
  return [one];
}

/** Every sink ready to use (or only the one named `only`); a variable that is named but unset is a ConfigError naming the key. */
export function resolveSinks(cfg: Config, env: Record<string, string | undefined>, only?: string): Sink[] {
  return selected(cfg, only).map(({ settings, name, index }) => {
    try {
      return resolveSink(settings, name, env, `alerts.sinks[${index}]`);
    } catch (err) {
      if (err instanceof SinkConfigError) throw new ConfigError(err.message, { cause: err });
      throw err;
    }
  });
}

/** The environment variables one sink reads (its urlEnv and secretEnv). */
export function secretNamesOf(s: SinkSettings): string[] {
  return [s.urlEnv, s.secretEnv].filter((n): n is string => n !== undefined);
}

/** The environment variables the sinks (or the one named `only`) read: what a deployment must provide. */
export function sinkSecretNames(cfg: Config, only?: string): string[] {
  return [...new Set(selected(cfg, only).flatMap((s) => secretNamesOf(s.settings)))];
}
