/**
 * DynamoDB item writes as the store sees them: a middleware on the client every function's document client is built on,
 * counting each written item (PutItem, UpdateItem, DeleteItem: 1; BatchWriteItem, TransactWriteItems: one per item).
 * Counted below the functions, so no function's writes are left out and none counts its own.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface WriteCounter {
  writes: number;
}

export function countWrites(client: DynamoDBClient): WriteCounter {
  const counter: WriteCounter = { writes: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName ?? '');
      const input = args.input as { RequestItems?: Record<string, unknown[]>; TransactItems?: unknown[] };
      if (/^(PutItem|UpdateItem|DeleteItem)Command$/.test(name)) counter.writes++;
      else if (name === 'BatchWriteItemCommand') counter.writes += Object.values(input.RequestItems ?? {}).reduce((n, l) => n + l.length, 0);
      else if (name === 'TransactWriteItemsCommand') counter.writes += input.TransactItems?.length ?? 0;
      return next(args);
    },
    { step: 'initialize', name: 'benchWriteCounter' },
  );
  return counter;
}
