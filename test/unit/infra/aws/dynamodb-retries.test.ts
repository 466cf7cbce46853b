/**
 * What a throttled table does to a function's client (infra/aws/dynamodb-retries.ts): the SDK retries the throttling
 * errors with back-off, and the counter sees each one, so the function's DynamoDbThrottles / DynamoDbRetries metrics
 * (and their alarm) tell which function waited. No local DynamoDB throttles (dynalite never does), so a small HTTP
 * endpoint answers as DynamoDB does when it throttles: HTTP 400 with the exception's `__type`.
 */
import { createServer, type Server } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDynamoDbRetries } from '../../../../infra/aws/dynamodb-retries.js';

let server: Server;
let endpoint = '';
/** How many of the next requests are throttled. */
let throttleNext = 0;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (throttleNext > 0) {
        throttleNext--;
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'throttled' }));
        return;
      }
      res.end(JSON.stringify({ Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  endpoint = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (maxAttempts = 5) => new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts });

describe('DynamoDB throttling, counted on the client', () => {
  it('counts each throttled attempt and each retry of a call that then succeeds', async () => {
    const c = client();
    const counter = countDynamoDbRetries(c);
    throttleNext = 2;
    requests = 0;
    const out = await c.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    expect(out.Item?.pk?.S).toBe('a');
    expect(requests).toBe(3);
    expect(counter).toEqual({ retries: 2, throttled: 2 });
    c.destroy();
  });

  it('counts the attempts of a call that stays throttled past maxAttempts, which then fails', async () => {
    const c = client(3);
    const counter = countDynamoDbRetries(c);
    throttleNext = 99;
    await expect(c.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }))).rejects.toThrow(/throttled/);
    expect(counter).toEqual({ retries: 2, throttled: 3 });
    throttleNext = 0;
    c.destroy();
  }, 15_000);
});
