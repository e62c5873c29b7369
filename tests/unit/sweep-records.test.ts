/**
 * The journey sweep's records of the days each half handled (functions/adapters/journey-store.ts):
 * read in one query of their partition, written in one call whether one half or both ran. The SDK
 * answers from a mock; the sweep's nights run against DynamoDB Local in
 * tests/integration/journey-sweep-nights.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoJourneyStore } from '../../functions/adapters/journey-store.ts';
import { keys } from '../../functions/adapters/table-design.ts';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
const dynamo = mockClient(client);
afterEach(() => dynamo.reset());
const store = new DynamoJourneyStore(client, 't');

describe('the journey sweep records', () => {
  it('are read with one consistent query of their partition, each part from its own item', async () => {
    dynamo.on(QueryCommand).resolves({
      Items: [
        { ...keys.sweepRecord('check-ins'), part: 'check-ins', sweptThrough: '2036-05-09' },
        { ...keys.sweepRecord('win-back'), part: 'win-back', sweptThrough: '2036-05-10' },
        { ...keys.sweepRecord('other'), part: 'other', sweptThrough: '2036-05-11' },
      ],
    });

    expect(await store.sweptThrough()).toEqual({ 'win-back': '2036-05-10', 'check-ins': '2036-05-09' });
    expect(dynamo.calls()).toHaveLength(1);
    expect(dynamo.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({ ExpressionAttributeValues: { ':pk': keys.sweepRecord('win-back').pk }, ConsistentRead: true });
  });

  it('are written in one call: a put for one part, a transaction of both for both, nothing for none', async () => {
    dynamo.on(PutCommand).resolves({});
    dynamo.on(TransactWriteCommand).resolves({});

    await store.markSweptThrough({});
    expect(dynamo.calls()).toHaveLength(0);

    await store.markSweptThrough({ 'win-back': '2036-05-10' });
    expect(dynamo.calls()).toHaveLength(1);
    expect(dynamo.commandCalls(PutCommand)[0]!.args[0].input.Item).toEqual({ ...keys.sweepRecord('win-back'), type: 'sweepRecord', part: 'win-back', sweptThrough: '2036-05-10' });

    await store.markSweptThrough({ 'win-back': '2036-05-11', 'check-ins': '2036-05-10' });
    expect(dynamo.calls()).toHaveLength(2);
    expect(dynamo.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!.map((item) => item.Put?.Item)).toEqual([
      { ...keys.sweepRecord('win-back'), type: 'sweepRecord', part: 'win-back', sweptThrough: '2036-05-11' },
      { ...keys.sweepRecord('check-ins'), type: 'sweepRecord', part: 'check-ins', sweptThrough: '2036-05-10' },
    ]);
  });
});
