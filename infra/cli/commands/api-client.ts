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

export async function apiGet<T>(base: string, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base.endsWith('/') ? base : `${base}/`));
  } catch (err) {
    throw new ApiRequestError(`cannot reach the API at ${base} (is \`npm start\` running? use --api URL)`, 0, { cause: err });
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
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
