/**
 * Items by key, many at once (functions/adapters/queries.ts): a hundred keys a call, keys DynamoDB
 * leaves unprocessed asked again, the read's consistency and projection passed on; and a delivery's
 * read of the customer through it. Puts and deletes, many at once: 25 a call, requests left
 * unprocessed sent again after a backoff, a bounded number of times, by as many writers as asked.
 * The SDK answers from a mock; the stores' reads and writes through them run against DynamoDB Local
 * in the integration tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, type BatchWriteWriteRequest } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamoContacts } from '../../functions/adapters/message-log.ts';
import { batchGetItems, batchWriteItems } from '../../functions/adapters/queries.ts';
import { applyOrder } from '../../functions/core/profile.ts';
import { parsePurchase } from '../../functions/core/purchase.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const dynamo = mockClient(client);
afterEach(() => {
  dynamo.reset();
  vi.useRealTimers();
});

const key = (index: number) => ({ pk: `ITEM#${index}`, sk: 'ITEM' });
const itemOf = (wanted: Record<string, unknown>) => ({ ...wanted, found: true });
const keysOfCall = (call: number) => dynamo.commandCalls(BatchGetCommand)[call]!.args[0].input.RequestItems!['t']!.Keys!;

describe('batchGetItems', () => {
  it('asks a hundred keys a call and gives every item found', async () => {
    dynamo.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> }) => ({
      // Every key but the odd ones exists.
      Responses: { t: input.RequestItems['t']!.Keys.filter((wanted) => Number(String(wanted['pk']).slice(5)) % 2 === 0).map(itemOf) },
    }));
    const items = await batchGetItems(client, 't', Array.from({ length: 250 }, (_, index) => key(index)));
    expect(dynamo.commandCalls(BatchGetCommand).map((_, call) => keysOfCall(call).length)).toEqual([100, 100, 50]);
    expect(items.map((item) => item['pk']).sort()).toEqual(Array.from({ length: 125 }, (_, index) => `ITEM#${index * 2}`).sort());
  });

  it('asks again, and only, for the keys left unprocessed, until none is left', async () => {
    dynamo
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { t: [itemOf(key(0))] }, UnprocessedKeys: { t: { Keys: [key(1), key(2)] } } })
      .resolvesOnce({ Responses: { t: [itemOf(key(1))] }, UnprocessedKeys: { t: { Keys: [key(2)] } } })
      .resolvesOnce({ Responses: { t: [itemOf(key(2))] } });
    const items = await batchGetItems(client, 't', [key(0), key(1), key(2)]);
    expect([keysOfCall(0), keysOfCall(1), keysOfCall(2)]).toEqual([[key(0), key(1), key(2)], [key(1), key(2)], [key(2)]]);
    expect(items.map((item) => item['pk'])).toEqual(['ITEM#0', 'ITEM#1', 'ITEM#2']);
  });

  it('reads strongly consistent and projected when told, and neither otherwise', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { t: [] } });
    await batchGetItems(client, 't', [key(0)], { consistent: true, projection: { expression: 'pk, #name', names: { '#name': 'name' } } });
    await batchGetItems(client, 't', [key(0)]);
    expect(dynamo.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems!['t'])).toEqual([
      { Keys: [key(0)], ConsistentRead: true, ProjectionExpression: 'pk, #name', ExpressionAttributeNames: { '#name': 'name' } },
      { Keys: [key(0)] },
    ]);
  });

  it('makes no call for no keys', async () => {
    expect(await batchGetItems(client, 't', [])).toEqual([]);
    expect(dynamo.commandCalls(BatchGetCommand)).toHaveLength(0);
  });
});

describe("a delivery's read of the customer (DynamoContacts.load)", () => {
  it('reads her profile and preferences in one strongly consistent call, so an opt-out just made counts', async () => {
    dynamo.on(BatchGetCommand).resolves({ Responses: { t: [] } });
    expect(await new DynamoContacts(client, 't').load('cust-1')).toBeUndefined();
    const calls = dynamo.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.RequestItems!['t']).toMatchObject({ ConsistentRead: true, Keys: [{ pk: 'CUSTOMER#cust-1', sk: 'PROFILE' }, { pk: 'CUSTOMER#cust-1', sk: 'PREFERENCES' }] });
  });

  it('tells the profile from the preferences by their keys, in whatever order the answer gives them', async () => {
    const profile = { pk: 'CUSTOMER#cust-1', sk: 'PROFILE', type: 'profile', ...applyOrder(undefined, parsePurchase({ orderId: 'o-1', placedAt: '2026-03-01T10:00:00.000Z', currency: 'USD', total: '10.00', customer: { id: 'cust-1', email: 'ada@example.com', consent: { email: true } }, items: [{ sku: 'A', quantity: 1, unitPrice: '10.00' }] })) };
    const preferences = { pk: 'CUSTOMER#cust-1', sk: 'PREFERENCES', type: 'preferences', emailOptedOutAt: '2026-03-02T10:00:00.000Z', emailOptedOutVia: 'unsubscribe-link' };
    dynamo.on(BatchGetCommand).resolves({ Responses: { t: [preferences, profile] } });

    const contact = await new DynamoContacts(client, 't').load('cust-1');

    expect(contact?.profile).toMatchObject({ customerId: 'cust-1', email: 'ada@example.com', orderCount: 1 });
    expect(contact?.preferences.email).toMatchObject({ optedOutAt: '2026-03-02T10:00:00.000Z' });
  });
});

describe('batchWriteItems', () => {
  const put = (index: number): BatchWriteWriteRequest => ({ PutRequest: { Item: { ...key(index), written: true } } });
  const requestsOfCall = (call: number) => dynamo.commandCalls(BatchWriteCommand)[call]!.args[0].input.RequestItems!['t']!;

  it('sends 25 requests a call, puts and deletes alike, in order', async () => {
    dynamo.on(BatchWriteCommand).resolves({});
    const requests = [...Array.from({ length: 40 }, (_, index) => put(index)), ...Array.from({ length: 20 }, (_, index) => ({ DeleteRequest: { Key: key(100 + index) } }))];
    await batchWriteItems(client, 't', requests);
    expect(dynamo.commandCalls(BatchWriteCommand).map((_, call) => requestsOfCall(call).length)).toEqual([25, 25, 10]);
    expect([0, 1, 2].flatMap(requestsOfCall)).toEqual(requests);
  });

  it('sends again, and only, the requests left unprocessed, until none is left', async () => {
    dynamo
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { t: [put(1), put(2)] } })
      .resolvesOnce({ UnprocessedItems: { t: [put(2)] } })
      .resolvesOnce({});
    await batchWriteItems(client, 't', [put(0), put(1), put(2)]);
    expect([requestsOfCall(0), requestsOfCall(1), requestsOfCall(2)]).toEqual([[put(0), put(1), put(2)], [put(1), put(2)], [put(2)]]);
  });

  it('fails after 8 calls that leave requests unprocessed, saying how many, before its next batch', async () => {
    vi.useFakeTimers();
    dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, BatchWriteWriteRequest[]> }) => ({ UnprocessedItems: { t: input.RequestItems['t']!.slice(-3) } }));
    const write = batchWriteItems(client, 't', Array.from({ length: 30 }, (_, index) => put(index)));
    const refused = expect(write).rejects.toThrow('DynamoDB left 3 writes unprocessed after 8 attempts');
    await vi.runAllTimersAsync();
    await refused;
    // The first batch's 8 calls; the second batch (the last 5 requests) never sent.
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(8);
    expect(requestsOfCall(7)).toEqual([put(22), put(23), put(24)]);
  });

  it('takes no new batch in any writer once one batch has failed', async () => {
    vi.useFakeTimers();
    dynamo.on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, BatchWriteWriteRequest[]> }) => {
      const requests = input.RequestItems['t']!;
      // The first batch is never written; the second takes ten seconds, long after the first has failed.
      if (requests[0]!.PutRequest!.Item!['pk'] === key(0).pk) return { UnprocessedItems: { t: requests } };
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      return {};
    });
    const write = batchWriteItems(client, 't', Array.from({ length: 25 * 4 }, (_, index) => put(index)), { writers: 2 });
    const refused = expect(write).rejects.toThrow('DynamoDB left 25 writes unprocessed after 8 attempts');
    await vi.runAllTimersAsync();
    await refused;
    // The first batch's 8 calls and the second's one; the third and fourth never sent.
    const firstKeys = dynamo.commandCalls(BatchWriteCommand).map((_, call) => requestsOfCall(call)[0]!.PutRequest!.Item!['pk']);
    expect(firstKeys.filter((pk) => pk === key(0).pk)).toHaveLength(8);
    expect(firstKeys.filter((pk) => pk !== key(0).pk)).toEqual([key(25).pk]);
  });

  it('waits twice as long before each call again, from 12.5-25 ms before the second to 0.8-1.6 s before the eighth', async () => {
    vi.useFakeTimers();
    const sentAt: number[] = [];
    dynamo.on(BatchWriteCommand).callsFake(() => {
      sentAt.push(Date.now());
      return { UnprocessedItems: { t: [put(0)] } };
    });
    const write = batchWriteItems(client, 't', [put(0)]).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await write).toBeInstanceOf(Error);
    const waits = sentAt.slice(1).map((at, index) => at - sentAt[index]!);
    expect(waits).toHaveLength(7);
    waits.forEach((wait, index) => {
      const full = 25 * 2 ** index;
      expect(wait).toBeGreaterThanOrEqual(Math.floor(full / 2));
      expect(wait).toBeLessThanOrEqual(full);
    });
  });

  it('has as many batches in flight as writers asked for, and one unless told', async () => {
    let inFlight = 0;
    let most = 0;
    dynamo.on(BatchWriteCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return {};
    });
    const requests = Array.from({ length: 25 * 10 }, (_, index) => put(index));
    await batchWriteItems(client, 't', requests, { writers: 4 });
    expect(most).toBe(4);
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(10);
    most = 0;
    await batchWriteItems(client, 't', requests);
    expect(most).toBe(1);
  });

  it('makes no call for no requests', async () => {
    await batchWriteItems(client, 't', [], { writers: 8 });
    expect(dynamo.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
