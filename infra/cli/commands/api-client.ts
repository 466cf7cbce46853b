/** The CLI's HTTP client of the query API (where it is: stack-endpoints.ts). */

export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The API's bearer token, from the variable the stack reads it from: EVPN_LENS_API_TOKEN (api.auth.tokenEnv's default),
 * or the one EVPN_LENS_API_TOKEN_ENV names when the configuration chose another.
 */
export function apiTokenEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVPN_LENS_API_TOKEN_ENV || 'EVPN_LENS_API_TOKEN';
}

export async function apiGet<T>(base: string, path: string): Promise<T> {
  let res: Response;
  const tokenEnv = apiTokenEnv();
  const token = process.env[tokenEnv];
  try {
    res = await fetch(new URL(path, base.endsWith('/') ? base : `${base}/`), token ? { headers: { authorization: `Bearer ${token}` } } : {});
  } catch (err) {
    throw new ApiRequestError(`cannot reach the API at ${base} (is \`npm start\` running? use --api URL)`, 0, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.status === 401)
    throw new ApiRequestError(token ? `the API refused the token in ${tokenEnv}` : `the API wants a bearer token: set ${tokenEnv}`, res.status);
  if (!res.ok) throw new ApiRequestError(String(body.detail ?? `${res.status} ${res.statusText}`), res.status);
  return body as T;
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
