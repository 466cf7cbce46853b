/** Lambda entry point of the query API (API Gateway HTTP API, payload format 2.0). */
import type { ApiHandler } from '../../../functions/api/handler.js';
import { startLambdaRuntime } from './runtime.js';

const rt = await startLambdaRuntime('api');
const api = rt.ctx.api();

export const handler: ApiHandler = (event) => api(event);
