/** RFC 9457 problem details: every error the API answers, as application/problem+json. */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${status} ${title}: ${detail}`, options);
  }
}

export const badRequest = (detail: string) => new ApiProblemError(400, 'Bad Request', detail);
export const notFound = (detail: string) => new ApiProblemError(404, 'Not Found', detail);

export interface ApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function problemResponse(p: ApiProblemError, instance: string): ApiResult {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify({
      type: `https://evpn-lens.dev/problems/${p.title.toLowerCase().replace(/\s+/g, '-')}`,
      title: p.title,
      status: p.status,
      detail: p.detail,
      instance,
    }),
  };
}

export function json(body: unknown, statusCode = 200): ApiResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
