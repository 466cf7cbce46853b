/**
 * ApiVersions (key 18) v2: what the broker speaks, checked once per connection.
 *   ApiVersions Request (Version: 2) =>
 *   ApiVersions Response (Version: 2) => error_code INT16 [api_keys] throttle_time_ms INT32
 *     api_keys => api_key INT16 min_version INT16 max_version INT16
 */
import type { ApiCall } from './request-header.js';

export interface ApiVersionRange {
  min: number;
  max: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apis: Map<number, ApiVersionRange>;
}

export const ApiVersions: ApiCall<Record<string, never>, ApiVersionsResponse> = {
  name: 'ApiVersions',
  key: 18,
  version: 2,
  encode() {},
  decode(r) {
    const errorCode = r.int16('error_code');
    const apis = new Map<number, ApiVersionRange>();
    for (const a of r.array('api_keys', 6, (x) => ({ key: x.int16('api_key'), min: x.int16('min_version'), max: x.int16('max_version') }))) apis.set(a.key, { min: a.min, max: a.max });
    return { errorCode, apis };
  },
};
