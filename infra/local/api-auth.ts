/** The local API's bearer token: read once at start from the variable `api.auth.tokenEnv` names. */
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/schema.js';

/** The token, or undefined when the API is open (loopback without auth, or `api.auth: none`). */
export function resolveApiToken(cfg: Config, env: Record<string, string | undefined>): string | undefined {
  const auth = cfg.api.auth;
  if (auth === undefined || auth === 'none') return undefined;
  const token = env[auth.tokenEnv];
  if (token === undefined || token === '') throw new ConfigError(`api.auth.tokenEnv: environment variable ${auth.tokenEnv} is not set`);
  if (token.length < 16) throw new ConfigError(`api.auth.tokenEnv: the token in ${auth.tokenEnv} is shorter than 16 characters`);
  return token;
}
