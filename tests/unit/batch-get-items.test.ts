/**
 * Items by key, many at once (functions/adapters/queries.ts): a hundred keys a call, keys DynamoDB
 * leaves unprocessed asked again, the read's consistency and projection passed on; and a delivery's
 * read of the customer through it. The SDK answers
 * from a mock; the stores' reads through it run against DynamoDB Local in the integration tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoContacts } from '../../functions/adapters/message-log.ts';
import { batchGetItems } from '../../functions/adapters/queries.ts';
import { applyOrder } from '../../functions/core/profile.ts';
import { parsePurchase } from '../../functions/core/purchase.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const dynamo = mockClient(client);
afterEach(() => dynamo.reset());

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
