import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../../functions/api/handler.js';
import { toApiGatewayEvent } from '../../../../infra/local/http-server.js';
import { startTestStore } from '../../../support/dynalite.js';

let store: Awaited<ReturnType<typeof startTestStore>>;
beforeAll(async () => {
  store = await startTestStore();
});
afterAll(async () => store?.stop());

// Behind API Gateway the path reaches the handler as sent: a malformed escape is the client's error (400), not a 500.
describe('API handler with a malformed path', () => {
  it.each(['/v1/hosts/%zz', '/v1/hosts/%E0%A4%A', '/v1/vnis/%/hosts', '/v1/vteps/%C0%80/hosts'])('answers %s with 400 problem+json', async (path) => {
    const api = createApiHandler({ ddb: store.doc, tableName: store.indexTable });
    const res = (await api(toApiGatewayEvent({ method: 'GET', url: path, headers: {}, sourceIp: '127.0.0.1' }))) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, detail: expect.stringContaining('is not valid percent-encoding'), instance: path });
  });
});
